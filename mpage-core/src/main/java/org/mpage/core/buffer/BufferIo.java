package org.mpage.core.buffer;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.pagecache.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * I/O of single buffers: one BIO per buffer head, the synchronous completions, and the error
 * bookkeeping every buffer completion shares. The folio-wide reads and writes ({@link BufferRead},
 * {@link BufferWrite}) and the device caches ({@link BufferCache}) all submit through here, so
 * there is one place that turns a buffer into a BIO and one rate limit on error messages.
 *
 * <p>Thread-safe: completions run on device threads; the only shared state is the error log's rate
 * limit, kept in atomics.
 */
final class BufferIo {
  // Logged under the facade's name, as before the split: log settings that name it keep working.
  private static final Logger LOG = LoggerFactory.getLogger(BufferLayer.class);
  private static final long ERROR_LOG_INTERVAL_NANOS = 1_000_000_000L;

  private final BlockLayer blockLayer;
  private final AtomicLong lastErrorLog =
      new AtomicLong(System.nanoTime() - 2 * ERROR_LOG_INTERVAL_NANOS);
  private final AtomicLong suppressedErrors = new AtomicLong();

  BufferIo(BlockLayer blockLayer) {
    this.blockLayer = blockLayer;
  }

  BlockLayer blockLayer() {
    return blockLayer;
  }

  /**
   * Submits one buffer's I/O as its own BIO: the kernel's {@code submit_bh}. The buffer must be
   * locked and mapped; its {@link BufferHead#endIo()} runs on completion.
   */
  void submitBh(BioOp op, Set<BioFlag> flags, BufferHead bh) {
    if (!bh.isLocked() || !bh.isMapped()) {
      throw new IllegalStateException("submit of unlocked or unmapped buffer " + bh);
    }
    bh.set(BhState.REQ);
    Bio bio = new Bio(bh.bdev(), op, flags, 1);
    bio.setSector(bh.blocknr() * (bh.size() >> 9));
    bio.addFolio(bh.folio(), bh.size(), bh.offsetInFolio());
    bio.setEndIo(
        b -> {
          BufferHead.EndIo endIo = bh.endIo();
          if (endIo != null) {
            endIo.endio(bh, b.status());
          }
        });
    BlockLayer.guardBioEod(bio);
    blockLayer.submitBio(bio);
  }

  /** Completion of a synchronous buffer read: the kernel's {@code end_buffer_read_sync}. */
  void endBufferReadSync(BufferHead bh, BlockStatus status) {
    if (status.isOk()) {
      bh.set(BhState.UPTODATE);
    } else {
      bh.clear(BhState.UPTODATE);
      bufferIoError(bh, status, "sync read");
    }
    bh.unlock();
  }

  /** Completion of a synchronous buffer write: the kernel's {@code end_buffer_write_sync}. */
  void endBufferWriteSync(BufferHead bh, BlockStatus status) {
    if (status.isOk()) {
      bh.set(BhState.UPTODATE);
    } else if (isMetadata(bh.folio())) {
      bufferIoError(bh, status, "metadata write, kept for retry");
      markBufferWriteIoError(bh);
      bh.set(BhState.DIRTY);
      ((Mapping) bh.folio().mapping()).dirtyFolio(bh.folio());
    } else {
      bufferIoError(bh, status, "sync write");
      markBufferWriteIoError(bh);
      bh.clear(BhState.UPTODATE);
    }
    bh.unlock();
  }

  /** The kernel's {@code mark_buffer_write_io_error}: the error reaches the file's fsync. */
  static void markBufferWriteIoError(BufferHead bh) {
    bh.set(BhState.WRITE_EIO);
    Folio folio = bh.folio();
    if (folio != null && folio.mapping() instanceof Mapping mapping) {
      mapping.setError(5);
    }
  }

  /**
   * Writes a buffer if it is dirty and waits, optionally with flags: the kernel's {@code
   * write_dirty_buffer} followed by {@code wait_on_buffer} when {@code wait}.
   */
  void writeDirtyBuffer(BufferHead bh, Set<BioFlag> flags, boolean wait) {
    writeDirtyBuffer(bh, flags, wait, b -> false);
  }

  /** As above, unless {@code held} names the buffer once it is locked (ordered metadata). */
  void writeDirtyBuffer(
      BufferHead bh,
      Set<BioFlag> flags,
      boolean wait,
      java.util.function.Predicate<BufferHead> held) {
    bh.lock();
    if (held.test(bh) || !bh.testAndClear(BhState.DIRTY)) {
      bh.unlock();
      return;
    }
    bh.setEndIo(this::endBufferWriteSync);
    submitBh(BioOp.WRITE, flags, bh);
    if (wait) {
      blockLayer.flushPlug();
      bh.waitUnlocked();
    }
  }

  /**
   * Logs a failed buffer I/O: the kernel's {@code buffer_io_error}. At most one message a second,
   * counting the ones held back, so a dying device cannot flood the log with one line per block.
   */
  void bufferIoError(BufferHead bh, BlockStatus status, String what) {
    long now = System.nanoTime();
    long last = lastErrorLog.get();
    if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLog.compareAndSet(last, now)) {
      long suppressed = suppressedErrors.getAndSet(0);
      LOG.warn(
          "Buffer I/O error on dev {}, logical block {}, {}: {}{}",
          bh.bdev() == null ? "?" : bh.bdev().name(),
          bh.blocknr(),
          what,
          status,
          suppressed == 0 ? "" : " (" + suppressed + " similar messages suppressed)");
    } else {
      suppressedErrors.incrementAndGet();
    }
  }

  /** Whether a folio belongs to a device's own cache (filesystem metadata), not to a file. */
  static boolean isMetadata(Folio folio) {
    return folio.mapping() != null && folio.mapping().host() instanceof BufferCache.BdevInode;
  }
}
