package org.mpage.core.buffer;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.api.page.NoSpaceException;
import org.mpage.api.page.SyncMode;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.block.IoStats;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.pagecache.PageCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer-head path of fs/buffer.c: pages handled block by block, one BIO per buffer. mpage
 * falls back to it whenever a page is "confused" (holes before data, discontiguous blocks, buffers
 * already attached, get_block errors), and filesystem metadata lives in its {@link BufferCache}s.
 *
 * <p>Slow but general: it is the reference the mpage path is compared with in differential tests.
 */
public final class BufferLayer {
  private static final Logger LOG = LoggerFactory.getLogger(BufferLayer.class);
  private static final long ERROR_LOG_INTERVAL_NANOS = 1_000_000_000L;

  private final BlockLayer blockLayer;
  private final PageCache pageCache;
  private final ConcurrentMap<BlockDevice, BufferCache> bdevCaches = new ConcurrentHashMap<>();
  private final AtomicLong lastErrorLog =
      new AtomicLong(System.nanoTime() - 2 * ERROR_LOG_INTERVAL_NANOS);
  private final AtomicLong suppressedErrors = new AtomicLong();

  public BufferLayer(BlockLayer blockLayer, PageCache pageCache) {
    this.blockLayer = blockLayer;
    this.pageCache = pageCache;
  }

  public BlockLayer blockLayer() {
    return blockLayer;
  }

  public PageCache pageCache() {
    return pageCache;
  }

  IoStats stats() {
    return blockLayer.stats();
  }

  /**
   * The metadata cache of {@code bdev} with buffers of {@code blockSize} bytes, created on first
   * use. One block size per device, as the kernel's {@code set_blocksize}.
   */
  public BufferCache bufferCache(BlockDevice bdev, int blockSize) {
    BufferCache bc = bdevCaches.computeIfAbsent(bdev, d -> new BufferCache(this, d, blockSize));
    if (bc.blockSize() != blockSize) {
      throw new IllegalStateException(
          bdev.name() + ": buffer cache has block size " + bc.blockSize() + ", not " + blockSize);
    }
    return bc;
  }

  /** The buffer cache of {@code bdev} if one exists. */
  public BufferCache existingBufferCache(BlockDevice bdev) {
    return bdevCaches.get(bdev);
  }

  /** Drops the buffer cache of a device that goes away. */
  public void forgetDevice(BlockDevice bdev) {
    bdevCaches.remove(bdev);
  }

  // ---- buffer rings ----

  /**
   * Attaches a ring of {@code blockSize} buffers to a locked folio, each with {@code state} set,
   * and uptodate/dirty when the folio is: the kernel's {@code create_empty_buffers}.
   */
  public static BufferHead createEmptyBuffers(Folio folio, int blockSize, Set<BhState> state) {
    BufferHead head = null;
    BufferHead tail = null;
    for (int offset = 0; offset < Folio.PAGE_SIZE; offset += blockSize) {
      BufferHead bh = new BufferHead(folio, offset, blockSize);
      for (BhState s : state) {
        bh.set(s);
      }
      if (head == null) {
        head = bh;
      } else {
        tail.setThisPage(bh);
      }
      tail = bh;
    }
    tail.setThisPage(head);
    boolean dirty = folio.isDirty();
    boolean uptodate = folio.isUptodate();
    if (dirty || uptodate) {
      BufferHead bh = head;
      do {
        if (dirty) {
          bh.set(BhState.DIRTY);
        }
        if (uptodate) {
          bh.set(BhState.UPTODATE);
        }
        bh = bh.thisPage();
      } while (bh != head);
    }
    folio.setBuffers(head);
    return head;
  }

  /** The folio's buffers, creating them if needed: the kernel's {@code folio_create_buffers}. */
  static BufferHead folioCreateBuffers(Folio folio, Inode inode, Set<BhState> state) {
    BufferHead head = folio.buffers();
    if (head == null) {
      head = createEmptyBuffers(folio, inode.blockSize(), state);
    }
    return head;
  }

  // ---- single-buffer I/O ----

  /**
   * Submits one buffer's I/O as its own BIO: the kernel's {@code submit_bh}. The buffer must be
   * locked and mapped; its {@link BufferHead#endIo()} runs on completion.
   */
  public void submitBh(BioOp op, Set<BioFlag> flags, BufferHead bh) {
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
  public void writeDirtyBuffer(BufferHead bh, Set<BioFlag> flags, boolean wait) {
    bh.lock();
    if (!bh.testAndClear(BhState.DIRTY)) {
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

  private void bufferIoError(BufferHead bh, BlockStatus status, String what) {
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

  // ---- block_read_full_folio ----

  /**
   * Reads a locked folio buffer by buffer: the kernel's {@code block_read_full_folio} (fs/buffer.c,
   * Linux 6.3). Uptodate buffers are kept, holes are zeroed, and each remaining buffer is read by
   * its own BIO; the folio is unlocked, uptodate if every buffer is, when the last read ends.
   */
  public void blockReadFullFolio(Folio folio, GetBlock getBlock) {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    BufferHead head = folioCreateBuffers(folio, inode, Set.of());
    int blocksize = head.size();
    int bbits = Integer.numberOfTrailingZeros(blocksize);
    long iblock = folio.pos() >> bbits;
    long lblock = (inode.size() + blocksize - 1) >> bbits;
    BufferHead[] arr = new BufferHead[Folio.PAGE_SIZE / 512];
    int nr = 0;
    boolean fullyMapped = true;
    boolean pageError = false;
    int blocksPerPage = Folio.PAGE_SIZE / blocksize;
    BufferHead bh = head;
    for (int i = 0; i < blocksPerPage; i++, iblock++, bh = bh.thisPage()) {
      if (bh.isUptodate()) {
        continue;
      }
      if (!bh.isMapped()) {
        boolean err = false;
        fullyMapped = false;
        if (iblock < lblock) {
          bh.setSize(blocksize);
          try {
            stats().countGetBlock();
            getBlock.getBlock(inode, iblock, bh, false);
          } catch (IOException e) {
            LOG.debug("get_block failed for inode {} block {}", inode.ino(), iblock, e);
            err = true;
            pageError = true;
          }
          bh.setSize(blocksize);
        }
        if (!bh.isMapped()) {
          folio.zero(i * blocksize, (i + 1) * blocksize);
          if (!err) {
            bh.set(BhState.UPTODATE);
          }
          continue;
        }
        // get_block may have filled the buffer itself.
        if (bh.isUptodate()) {
          continue;
        }
      }
      arr[nr++] = bh;
    }

    if (fullyMapped) {
      folio.set(FolioFlag.MAPPEDTODISK);
    }
    if (nr == 0) {
      // Everything was uptodate, a hole, or failed to map: the read is over.
      if (pageError) {
        folio.set(FolioFlag.ERROR);
      } else {
        folio.markUptodate();
      }
      folio.unlock();
      return;
    }
    for (int k = 0; k < nr; k++) {
      BufferHead b = arr[k];
      b.lock();
      b.setEndIo(this::endBufferAsyncRead);
      b.set(BhState.ASYNC_READ);
    }
    // A buffer may have become uptodate while we waited for its lock (another reader of the
    // same block through the device's cache).
    for (int k = 0; k < nr; k++) {
      BufferHead b = arr[k];
      if (b.isUptodate()) {
        endBufferAsyncRead(b, BlockStatus.OK);
      } else {
        submitBh(BioOp.READ, Set.of(), b);
      }
    }
  }

  /**
   * Completion of one buffer of an asynchronous folio read: the kernel's {@code
   * end_buffer_async_read}. The last buffer to finish ends the folio's read.
   */
  void endBufferAsyncRead(BufferHead bh, BlockStatus status) {
    Folio folio = bh.folio();
    if (status.isOk()) {
      bh.set(BhState.UPTODATE);
    } else {
      bh.clear(BhState.UPTODATE);
      bufferIoError(bh, status, "async page read");
    }
    boolean folioUptodate = true;
    synchronized (folio) {
      bh.clear(BhState.ASYNC_READ);
      bh.unlock();
      BufferHead tmp = bh;
      do {
        if (!tmp.isUptodate()) {
          folioUptodate = false;
        }
        if (tmp.test(BhState.ASYNC_READ)) {
          return; // still busy: another buffer will finish the folio
        }
        tmp = tmp.thisPage();
      } while (tmp != bh);
    }
    if (folioUptodate) {
      folio.markUptodate();
    } else {
      folio.set(FolioFlag.ERROR);
    }
    folio.unlock();
  }

  // ---- block_write_full_folio ----

  /**
   * Writes a locked, dirty-cleared folio buffer by buffer: the kernel's {@code
   * block_write_full_folio} (fs/buffer.c, Linux 6.3). A folio wholly beyond EOF is just unlocked;
   * one straddling EOF has its tail zeroed first. Returns 0 or a positive errno.
   */
  public int blockWriteFullPage(Folio folio, GetBlock getBlock, WritebackControl wbc) {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    long iSize = inode.size();
    if (folio.pos() + Folio.PAGE_SIZE <= iSize) {
      return blockWriteFullFolio(folio, inode, getBlock, wbc);
    }
    if (folio.pos() >= iSize) {
      // Wholly outside i_size: a truncate is in progress and will drop the folio.
      folio.unlock();
      return 0;
    }
    folio.zero((int) (iSize - folio.pos()), Folio.PAGE_SIZE);
    return blockWriteFullFolio(folio, inode, getBlock, wbc);
  }

  /** The kernel's {@code __block_write_full_folio}. */
  private int blockWriteFullFolio(
      Folio folio, Inode inode, GetBlock getBlock, WritebackControl wbc) {
    Mapping mapping = (Mapping) folio.mapping();
    BufferHead head =
        folioCreateBuffers(folio, inode, java.util.EnumSet.of(BhState.DIRTY, BhState.UPTODATE));
    int blocksize = head.size();
    int bbits = Integer.numberOfTrailingZeros(blocksize);
    long block = folio.pos() >> bbits;
    long lastBlock = (inode.size() - 1) >> bbits;
    Set<BioFlag> writeFlags = wbc.syncMode() == SyncMode.ALL ? Set.of(BioFlag.SYNC) : Set.of();

    // Map every dirty buffer, allocating where needed.
    BufferHead bh = head;
    do {
      if (block > lastBlock) {
        // Outside i_size (a racing truncate); the tail was zeroed by the caller.
        bh.clear(BhState.DIRTY);
        bh.set(BhState.UPTODATE);
      } else if (!bh.isMapped() && bh.isDirty()) {
        bh.setSize(blocksize);
        try {
          stats().countGetBlock();
          getBlock.getBlock(inode, block, bh, true);
        } catch (IOException e) {
          return recover(folio, mapping, head, writeFlags, errnoOf(e));
        }
        bh.setSize(blocksize);
        if (bh.testAndClear(BhState.NEW)) {
          cleanBdevBhAlias(bh);
        }
      }
      bh = bh.thisPage();
      block++;
    } while (bh != head);

    do {
      if (!bh.isMapped()) {
        continue;
      }
      if (wbc.syncMode() != SyncMode.NONE) {
        bh.lock();
      } else if (!bh.tryLock()) {
        mapping.redirtyForWritepage(wbc, folio);
        continue;
      }
      if (bh.testAndClear(BhState.DIRTY)) {
        bh.setEndIo(this::endBufferAsyncWrite);
        bh.set(BhState.ASYNC_WRITE);
      } else {
        bh.unlock();
      }
    } while ((bh = bh.thisPage()) != head);

    mapping.startWriteback(folio);
    int nrUnderway = submitAsyncWrites(head, writeFlags, false);
    folio.unlock();
    if (nrUnderway == 0) {
      // The folio was dirty but its buffers were clean (written through the device's cache).
      mapping.endWriteback(folio);
    }
    return 0;
  }

  private int submitAsyncWrites(BufferHead head, Set<BioFlag> flags, boolean clearDirty) {
    // Collect first: a completion may run before submit returns and must see all ASYNC_WRITE bits.
    BufferHead[] batch = new BufferHead[Folio.PAGE_SIZE / 512];
    int n = 0;
    BufferHead bh = head;
    do {
      if (bh.test(BhState.ASYNC_WRITE)) {
        batch[n++] = bh;
      }
      bh = bh.thisPage();
    } while (bh != head);
    for (int k = 0; k < n; k++) {
      if (clearDirty) {
        batch[k].clear(BhState.DIRTY);
      }
      submitBh(BioOp.WRITE, flags, batch[k]);
    }
    return n;
  }

  /**
   * get_block failed while mapping a dirty folio (ENOSPC, EIO): write out the buffers that are
   * already mapped, so no stale disk data is exposed through blocks just added, and record the
   * error on the mapping.
   */
  private int recover(
      Folio folio, Mapping mapping, BufferHead head, Set<BioFlag> flags, int errno) {
    BufferHead bh = head;
    do {
      if (bh.isMapped() && bh.isDirty()) {
        bh.lock();
        bh.setEndIo(this::endBufferAsyncWrite);
        bh.set(BhState.ASYNC_WRITE);
      } else {
        bh.clear(BhState.DIRTY);
      }
    } while ((bh = bh.thisPage()) != head);
    mapping.setError(errno);
    mapping.startWriteback(folio);
    int nrUnderway = submitAsyncWrites(head, flags, true);
    folio.unlock();
    if (nrUnderway == 0) {
      mapping.endWriteback(folio);
    }
    return errno;
  }

  /**
   * Completion of one buffer of an asynchronous folio write: the kernel's {@code
   * end_buffer_async_write}. The last buffer ends the folio's writeback.
   */
  void endBufferAsyncWrite(BufferHead bh, BlockStatus status) {
    Folio folio = bh.folio();
    boolean retry = false;
    if (status.isOk()) {
      bh.set(BhState.UPTODATE);
    } else if (isMetadata(folio)) {
      // Filesystem metadata is not dropped on a failed write (a device being swapped, a
      // transient error): it stays dirty for the next sync, which reports the error meanwhile.
      bufferIoError(bh, status, "metadata write, kept for retry");
      markBufferWriteIoError(bh);
      bh.set(BhState.DIRTY);
      retry = true;
    } else {
      bufferIoError(bh, status, "lost async page write");
      markBufferWriteIoError(bh);
      bh.clear(BhState.UPTODATE);
      folio.set(FolioFlag.ERROR);
    }
    synchronized (folio) {
      bh.clear(BhState.ASYNC_WRITE);
      bh.unlock();
      BufferHead tmp = bh.thisPage();
      while (tmp != bh) {
        if (tmp.test(BhState.ASYNC_WRITE)) {
          return;
        }
        tmp = tmp.thisPage();
      }
    }
    Mapping mapping = (Mapping) folio.mapping();
    mapping.endWriteback(folio);
    if (retry) {
      mapping.dirtyFolio(folio);
    }
  }

  /** Whether a folio belongs to a device's own cache (filesystem metadata), not to a file. */
  private static boolean isMetadata(Folio folio) {
    return folio.mapping() != null && folio.mapping().host() instanceof BufferCache.BdevInode;
  }

  // ---- block_write_begin ----

  /**
   * Maps, allocating where needed, the blocks of a locked folio that bytes {@code [from, to)} will
   * be written to: the kernel's {@code __block_write_begin} for a folio that is uptodate or about
   * to be wholly overwritten (the caller reads partial pages first). A new block's parts outside
   * the written range are zeroed when the folio holds no valid data there.
   *
   * @throws IOException from get_block (ENOSPC as {@link NoSpaceException})
   */
  public void blockWriteBegin(Folio folio, int from, int to, GetBlock getBlock) throws IOException {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    BufferHead head = folioCreateBuffers(folio, inode, Set.of());
    int bs = head.size();
    long block = folio.pos() >> Integer.numberOfTrailingZeros(bs);
    BufferHead bh = head;
    List<BufferHead> fresh = new java.util.ArrayList<>(Folio.PAGE_SIZE / bs);
    try {
      for (int start = 0; start < Folio.PAGE_SIZE; start += bs, block++, bh = bh.thisPage()) {
        int end = start + bs;
        if (end <= from || start >= to) {
          if (folio.isUptodate()) {
            bh.set(BhState.UPTODATE);
          }
          continue;
        }
        if (!bh.isMapped()) {
          bh.setSize(bs);
          stats().countGetBlock();
          getBlock.getBlock(inode, block, bh, true);
          bh.setSize(bs);
          if (bh.testAndClear(BhState.NEW)) {
            cleanBdevBhAlias(bh);
            fresh.add(bh);
            if (!folio.isUptodate()) {
              folio.zero(start, Math.max(start, from));
              folio.zero(Math.min(end, to), end);
            }
          }
        }
        if (folio.isUptodate()) {
          bh.set(BhState.UPTODATE);
        }
      }
    } catch (IOException e) {
      // Blocks just allocated hold stale disk data and now belong to the file: zero them and
      // make them dirty, so that nothing stale can ever be read back (page_zero_new_buffers).
      for (BufferHead b : fresh) {
        folio.zero(b.offsetInFolio(), b.offsetInFolio() + b.size());
        b.set(BhState.UPTODATE);
        b.set(BhState.DIRTY);
      }
      if (!fresh.isEmpty()) {
        mapping.dirtyFolio(folio);
      }
      throw e;
    }
  }

  /**
   * Forgets the buffers of a folio from byte {@code from} on, after a truncation made them point
   * past the end of the file: the kernel's {@code block_invalidate_folio} / {@code discard_buffer}.
   * Their blocks are freed by the filesystem; writing them later would hit someone else's data.
   */
  public static void discardBuffersFrom(Folio folio, int from) {
    BufferHead head = folio.buffers();
    if (head == null) {
      return;
    }
    BufferHead bh = head;
    do {
      if (bh.offsetInFolio() >= from) {
        bh.lock();
        bh.clear(BhState.DIRTY);
        bh.clear(BhState.MAPPED);
        bh.clear(BhState.REQ);
        bh.clear(BhState.NEW);
        bh.clear(BhState.BOUNDARY);
        bh.setBdev(null);
        bh.unlock();
      }
      bh = bh.thisPage();
    } while (bh != head);
  }

  // ---- aliases and boundaries ----

  /**
   * A block was just allocated: make sure no stale copy of it in the device's buffer cache (old
   * metadata of a freed block) is written over the new data later. The kernel's {@code
   * clean_bdev_bh_alias}.
   */
  public void cleanBdevBhAlias(BufferHead bh) {
    BufferCache bc = bdevCaches.get(bh.bdev());
    if (bc != null) {
      bc.cleanAliases(bh.blocknr(), 1);
    }
  }

  /**
   * After submitting data up to a boundary block, starts the write of the block right after it if
   * it is dirty in the device's cache (typically the indirect block the data was waiting for): the
   * kernel's {@code write_boundary_block}.
   */
  public void writeBoundaryBlock(BlockDevice bdev, long block, int blocksize) {
    BufferCache bc = bdevCaches.get(bdev);
    if (bc == null || bc.blockSize() != blocksize) {
      return;
    }
    BufferHead bh = bc.findBlock(block + 1);
    if (bh != null) {
      try {
        if (bh.isDirty()) {
          writeDirtyBuffer(bh, Set.of(), false);
        }
      } finally {
        bh.put();
      }
    }
  }

  /** The errno a get_block exception stands for. */
  public static int errnoOf(IOException e) {
    return e instanceof NoSpaceException ? 28 : 5;
  }
}
