package org.mpage.core.buffer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
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
import org.mpage.core.pagecache.Mapping;

/**
 * Writing a folio's data through its buffers: mapping (and allocating) the blocks a write() is
 * about to fill, and writing a dirty folio back one BIO per dirty buffer. Writeback holds the folio
 * lock only while it maps and locks buffers; the folio is under writeback, not locked, while the
 * BIOs run, and the buffers' ASYNC_WRITE bits, checked under the folio's monitor, tell each
 * completion whether it is the last.
 *
 * <p>A block allocated here may still have a stale copy in the device's buffer cache (old metadata
 * of a freed block); {@code cleanAlias} makes sure that copy is never written over the new data.
 */
final class BufferWrite {
  private final BufferIo io;
  private final Consumer<BufferHead> cleanAlias;

  BufferWrite(BufferIo io, Consumer<BufferHead> cleanAlias) {
    this.io = io;
    this.cleanAlias = cleanAlias;
  }

  // ---- block_write_full_folio ----

  /**
   * Writes a locked, dirty-cleared folio buffer by buffer: the kernel's {@code
   * block_write_full_folio} (fs/buffer.c, Linux 6.3). A folio wholly beyond EOF is just unlocked;
   * one straddling EOF has its tail zeroed first. Returns 0 or a positive errno.
   */
  int blockWriteFullPage(Folio folio, GetBlock getBlock, WritebackControl wbc) {
    return blockWriteFullPage(folio, getBlock, wbc, NOT_HELD);
  }

  /** Nothing held back: the file data case. */
  static final Predicate<BufferHead> NOT_HELD = bh -> false;

  /**
   * As {@link #blockWriteFullPage(Folio, GetBlock, WritebackControl)}, leaving dirty the buffers
   * {@code held} names (metadata blocks waiting for others, see {@link WriteOrder}): the folio is
   * redirtied for them.
   */
  int blockWriteFullPage(
      Folio folio, GetBlock getBlock, WritebackControl wbc, Predicate<BufferHead> held) {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    long iSize = inode.size();
    if (folio.pos() + Folio.PAGE_SIZE <= iSize) {
      return blockWriteFullFolio(folio, inode, getBlock, wbc, held);
    }
    if (folio.pos() >= iSize) {
      // Wholly outside i_size: a truncate is in progress and will drop the folio.
      folio.unlock();
      return 0;
    }
    folio.zero((int) (iSize - folio.pos()), Folio.PAGE_SIZE);
    return blockWriteFullFolio(folio, inode, getBlock, wbc, held);
  }

  /** The kernel's {@code __block_write_full_folio}. */
  private int blockWriteFullFolio(
      Folio folio,
      Inode inode,
      GetBlock getBlock,
      WritebackControl wbc,
      Predicate<BufferHead> held) {
    Mapping mapping = (Mapping) folio.mapping();
    BufferHead head =
        BufferRing.folioCreateBuffers(folio, inode, EnumSet.of(BhState.DIRTY, BhState.UPTODATE));
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
          io.blockLayer().stats().countGetBlock();
          getBlock.getBlock(inode, block, bh, true);
        } catch (IOException e) {
          return recover(folio, mapping, head, writeFlags, BufferLayer.errnoOf(e));
        }
        bh.setSize(blocksize);
        if (bh.testAndClear(BhState.NEW)) {
          cleanAlias.accept(bh);
        }
      }
      bh = bh.thisPage();
      block++;
    } while (bh != head);

    boolean heldBack = false;
    do {
      if (!bh.isMapped()) {
        continue;
      }
      if (bh.isDirty() && held.test(bh)) {
        heldBack = true;
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
    if (heldBack) {
      mapping.redirtyForWritepage(wbc, folio);
    }

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
      io.submitBh(BioOp.WRITE, flags, batch[k]);
    }
    return n;
  }

  /**
   * get_block failed while mapping a dirty folio (ENOSPC, EIO): write out the buffers that are
   * already mapped, so no stale disk data is exposed through blocks just added, and record the
   * error on the mapping. The {@code recover:} label of the kernel's {@code
   * __block_write_full_folio}.
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
    } else if (BufferIo.isMetadata(folio)) {
      // Filesystem metadata is not dropped on a failed write (a device being swapped, a
      // transient error): it stays dirty for the next sync, which reports the error meanwhile.
      io.bufferIoError(bh, status, "metadata write, kept for retry");
      BufferIo.markBufferWriteIoError(bh);
      bh.set(BhState.DIRTY);
      retry = true;
    } else {
      io.bufferIoError(bh, status, "lost async page write");
      BufferIo.markBufferWriteIoError(bh);
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

  // ---- block_write_begin ----

  /**
   * Maps, allocating where needed, the blocks of a locked folio that bytes {@code [from, to)} will
   * be written to: the kernel's {@code __block_write_begin} for a folio that is uptodate or about
   * to be wholly overwritten (the caller reads partial pages first). A new block's parts outside
   * the written range are zeroed when the folio holds no valid data there.
   *
   * @throws IOException from get_block (ENOSPC as {@link NoSpaceException})
   */
  void blockWriteBegin(Folio folio, int from, int to, GetBlock getBlock) throws IOException {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    BufferHead head = BufferRing.folioCreateBuffers(folio, inode, Set.of());
    int bs = head.size();
    long block = folio.pos() >> Integer.numberOfTrailingZeros(bs);
    BufferHead bh = head;
    List<BufferHead> fresh = new ArrayList<>(Folio.PAGE_SIZE / bs);
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
          io.blockLayer().stats().countGetBlock();
          getBlock.getBlock(inode, block, bh, true);
          bh.setSize(bs);
          if (bh.testAndClear(BhState.NEW)) {
            cleanAlias.accept(bh);
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
}
