package org.mpage.core.buffer;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.NoSpaceException;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.block.IoStats;
import org.mpage.core.pagecache.PageCache;

/**
 * The buffer-head path of fs/buffer.c: pages handled block by block, one BIO per buffer. mpage
 * falls back to it whenever a page is "confused" (holes before data, discontiguous blocks, buffers
 * already attached, get_block errors), and filesystem metadata lives in its {@link BufferCache}s.
 *
 * <p>Slow but general: it is the reference the mpage path is compared with in differential tests.
 *
 * <p>This class is the entry point the rest of the engine holds, and owns the per-device buffer
 * caches. The work is done along fs/buffer.c's own seams by package-private classes: {@link
 * BufferRing} (attaching and discarding a folio's buffers), {@link BufferIo} (one buffer, one BIO,
 * and the synchronous completions), {@link BufferRead} ({@code block_read_full_folio}) and {@link
 * BufferWrite} ({@code block_write_full_folio}, {@code __block_write_begin}). The methods here that
 * only forward keep the callers' API in one place.
 */
public final class BufferLayer {
  private final BlockLayer blockLayer;
  private final PageCache pageCache;
  private final ConcurrentMap<BlockDevice, BufferCache> bdevCaches = new ConcurrentHashMap<>();
  private final BufferIo io;
  private final BufferRead read;
  private final BufferWrite write;

  public BufferLayer(BlockLayer blockLayer, PageCache pageCache) {
    this.blockLayer = blockLayer;
    this.pageCache = pageCache;
    this.io = new BufferIo(blockLayer);
    this.read = new BufferRead(io);
    this.write = new BufferWrite(io, this::cleanBdevBhAlias);
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

  // ---- the devices' buffer caches ----

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
   * Attaches a ring of {@code blockSize} buffers to a locked folio: the kernel's {@code
   * create_empty_buffers}. See {@link BufferRing#createEmptyBuffers}.
   */
  public static BufferHead createEmptyBuffers(Folio folio, int blockSize, Set<BhState> state) {
    return BufferRing.createEmptyBuffers(folio, blockSize, state);
  }

  /**
   * Forgets the buffers of a folio from byte {@code from} on, after a truncation: the kernel's
   * {@code block_invalidate_folio}. See {@link BufferRing#discardBuffersFrom}.
   */
  public static void discardBuffersFrom(Folio folio, int from) {
    BufferRing.discardBuffersFrom(folio, from);
  }

  // ---- single-buffer I/O ----

  /** One buffer's I/O as its own BIO: the kernel's {@code submit_bh}. See {@link BufferIo}. */
  public void submitBh(BioOp op, Set<BioFlag> flags, BufferHead bh) {
    io.submitBh(op, flags, bh);
  }

  /** Completion of a synchronous buffer read: the kernel's {@code end_buffer_read_sync}. */
  void endBufferReadSync(BufferHead bh, BlockStatus status) {
    io.endBufferReadSync(bh, status);
  }

  /**
   * Writes a buffer if it is dirty, waiting when {@code wait}: the kernel's {@code
   * write_dirty_buffer} (+ {@code wait_on_buffer}).
   */
  public void writeDirtyBuffer(BufferHead bh, Set<BioFlag> flags, boolean wait) {
    io.writeDirtyBuffer(bh, flags, wait);
  }

  // ---- whole folios ----

  /** Reads a locked folio buffer by buffer: the kernel's {@code block_read_full_folio}. */
  public void blockReadFullFolio(Folio folio, GetBlock getBlock) {
    read.blockReadFullFolio(folio, getBlock);
  }

  /**
   * Writes a locked, dirty-cleared folio buffer by buffer: the kernel's {@code
   * block_write_full_folio}. Returns 0 or a positive errno.
   */
  public int blockWriteFullPage(Folio folio, GetBlock getBlock, WritebackControl wbc) {
    return write.blockWriteFullPage(folio, getBlock, wbc);
  }

  /** As above, leaving dirty the buffers {@code held} names (ordered metadata, see the cache). */
  int blockWriteFullPage(
      Folio folio, GetBlock getBlock, WritebackControl wbc, Predicate<BufferHead> held) {
    return write.blockWriteFullPage(folio, getBlock, wbc, held);
  }

  /**
   * Maps, allocating where needed, the blocks bytes {@code [from, to)} of a locked folio will be
   * written to: the kernel's {@code __block_write_begin}.
   *
   * @throws IOException from get_block (ENOSPC as {@link NoSpaceException})
   */
  public void blockWriteBegin(Folio folio, int from, int to, GetBlock getBlock) throws IOException {
    write.blockWriteBegin(folio, from, to, getBlock);
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
        if (bh.isDirty() && !bc.isHeld(bh.blocknr())) {
          io.writeDirtyBuffer(bh, Set.of(), false);
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
