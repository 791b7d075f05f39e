package org.mpage.core.buffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.Inode;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.writeback.WriteCachePages;

/**
 * The cache of a block device's own blocks, where filesystems keep their metadata (superblock,
 * bitmaps, inode tables, indirect blocks): the kernel's block-device page cache seen through {@code
 * sb_bread}, {@code mark_buffer_dirty} and {@code sync_blockdev}.
 *
 * <p>A buffer returned by {@link #getblk} or {@link #bread} is pinned; the caller releases it with
 * {@link BufferHead#put()}. Pinned, dirty or locked buffers keep their folio from eviction.
 */
public final class BufferCache implements org.mpage.api.fs.BufferCache {
  private final BufferLayer layer;
  private final BlockDevice bdev;
  private final int blockSize;
  private final int blockBits;
  private final Mapping mapping;
  private final WriteOrder order = new WriteOrder();
  private static final int MAX_ROUNDS = 64;

  /**
   * Taken by {@link #sync()} and by the write that breaks a cycle: one ordered writer at a time.
   */
  private final Object orderedWriters = new Object();

  BufferCache(BufferLayer layer, BlockDevice bdev, int blockSize) {
    if (Integer.bitCount(blockSize) != 1 || blockSize < 512 || blockSize > Folio.PAGE_SIZE) {
      throw new IllegalArgumentException(
          "block size must be a power of two in 512..4096: " + blockSize);
    }
    this.layer = layer;
    this.bdev = bdev;
    this.blockSize = blockSize;
    this.blockBits = Integer.numberOfTrailingZeros(blockSize);
    Inode inode = new BdevInode(bdev, blockBits);
    this.mapping =
        layer
            .pageCache()
            .newMapping(
                inode, new BufferAops(layer, BufferCache::identity, this::heldBack), bdev.name());
    this.mapping.setMetadata(true);
  }

  /** Whether writeback must leave this dirty buffer for later (see {@link WriteOrder}). */
  private boolean heldBack(BufferHead bh) {
    return order.isHeld(bh.blocknr());
  }

  /** Whether {@code block} waits for others, so only a sync may write it. */
  boolean isHeld(long block) {
    return order.isHeld(block);
  }

  /** The device's blocks map to themselves: the kernel's {@code blkdev_get_block}. */
  private static void identity(Inode inode, long iblock, BufferHead bh, boolean create) {
    bh.map(((BdevInode) inode).bdev(), iblock);
  }

  public BlockDevice bdev() {
    return bdev;
  }

  @Override
  public BlockDevice device() {
    return bdev;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  /** The device's page cache mapping. */
  public Mapping mapping() {
    return mapping;
  }

  private void checkBlock(long block) throws BlockIOException {
    long sectors = (long) blockSize >> 9;
    if (block < 0 || (block + 1) * sectors > bdev.capacitySectors()) {
      throw new BlockIOException(
          bdev.name(), BioOp.READ, Math.max(0, block) * sectors, BlockStatus.IOERR);
    }
  }

  /**
   * The pinned buffer of {@code block}, created (not read) if needed: the kernel's {@code
   * __getblk}.
   */
  @Override
  public BufferHead getblk(long block) throws BlockIOException {
    checkBlock(block);
    int perPage = Folio.PAGE_SIZE >> blockBits;
    long index = block / perPage;
    Folio folio = mapping.grabFolioLocked(index);
    try {
      BufferHead head = folio.buffers();
      if (head == null) {
        head = BufferLayer.createEmptyBuffers(folio, blockSize, Set.of());
        BufferHead bh = head;
        long first = index * perPage;
        do {
          bh.map(bdev, first + bh.offsetInFolio() / blockSize);
          bh = bh.thisPage();
        } while (bh != head);
      }
      BufferHead bh = head;
      int slot = (int) (block % perPage);
      for (int i = 0; i < slot; i++) {
        bh = bh.thisPage();
      }
      bh.get();
      return bh;
    } finally {
      folio.unlock();
      mapping.cache().put(folio);
    }
  }

  /** The pinned buffer of {@code block} if it is cached, else null: {@code __find_get_block}. */
  public BufferHead findBlock(long block) {
    int perPage = Folio.PAGE_SIZE >> blockBits;
    Folio folio = mapping.getFolio(block / perPage);
    if (folio == null) {
      return null;
    }
    try {
      BufferHead head = folio.buffers();
      if (head == null) {
        return null;
      }
      BufferHead bh = head;
      do {
        if (bh.blocknr() == block) {
          bh.get();
          return bh;
        }
        bh = bh.thisPage();
      } while (bh != head);
      return null;
    } finally {
      mapping.cache().put(folio);
    }
  }

  /**
   * The pinned, uptodate buffer of {@code block}, read from the device if needed: the kernel's
   * {@code __bread}.
   *
   * @throws BlockIOException if the block is outside the device or the read fails
   */
  @Override
  public BufferHead bread(long block) throws BlockIOException {
    BufferHead bh = getblk(block);
    if (bh.isUptodate()) {
      return bh;
    }
    layer.blockLayer().flushPlug();
    bh.lock();
    if (bh.isUptodate()) {
      bh.unlock();
      return bh;
    }
    bh.setEndIo(layer::endBufferReadSync);
    layer.blockLayer().stats().countMetaRead();
    layer.submitBh(BioOp.READ, Set.of(), bh);
    layer.blockLayer().flushPlug();
    bh.waitUnlocked();
    if (!bh.isUptodate()) {
      bh.put();
      throw new BlockIOException(
          bdev.name(), BioOp.READ, block * (blockSize >> 9), BlockStatus.IOERR);
    }
    return bh;
  }

  /** Marks a cached buffer dirty so that the next sync writes it: {@code mark_buffer_dirty}. */
  @Override
  public void markBufferDirty(BufferHead bh) {
    if (!bh.isUptodate()) {
      throw new IllegalStateException("dirtying a buffer that is not uptodate: " + bh);
    }
    if (!bh.testAndSet(BhState.DIRTY)) {
      mapping.dirtyFolio(bh.folio());
    }
  }

  @Override
  public void orderBefore(long first, long then) throws BlockIOException {
    if (first == then) {
      return;
    }
    if (order.waitsTransitively(first, then)) {
      // The new edge would close a cycle: nothing could be written first. Write out then, and all
      // it waits for, as they stand (then is not changed yet), which frees it of its edges.
      synchronized (orderedWriters) {
        writeOrdered(then);
      }
    }
    order.add(first, then);
  }

  /** Writes {@code block} and, before it, what it waits for, in rounds with a flush between. */
  private void writeOrdered(long block) throws BlockIOException {
    Set<Long> todo = new HashSet<>(order.closure(block));
    while (!todo.isEmpty()) {
      List<Long> round = new ArrayList<>();
      for (long b : todo) {
        if (!order.isHeld(b)) {
          round.add(b);
        }
      }
      if (round.isEmpty()) {
        throw new IllegalStateException("write order cycle through block " + block);
      }
      for (long b : round) {
        BufferHead bh = findBlock(b);
        if (bh != null) {
          try {
            layer.writeDirtyBuffer(bh, Set.of(BioFlag.SYNC), true);
          } finally {
            bh.put();
          }
        }
      }
      Set<Long> written = new HashSet<>();
      for (long b : round) {
        if (!isClean(b)) {
          throw new BlockIOException(
              bdev.name(), BioOp.WRITE, b * (blockSize >> 9), BlockStatus.IOERR);
        }
        written.add(b);
      }
      flushOrFail(block);
      order.release(written::contains);
      todo.removeAll(written);
    }
  }

  private void flushOrFail(long block) throws BlockIOException {
    BlockStatus st = layer.blockLayer().flushDevice(bdev);
    if (!st.isOk()) {
      throw new BlockIOException(bdev.name(), BioOp.FLUSH, block * (blockSize >> 9), st);
    }
  }

  /**
   * Not dirty and not being written: what was last put in the block has reached the device (its
   * volatile cache at least, until a flush).
   */
  private boolean isClean(long block) {
    BufferHead bh = findBlock(block);
    if (bh == null) {
      return true;
    }
    try {
      return !bh.isDirty() && !bh.isLocked();
    } finally {
      bh.put();
    }
  }

  /**
   * Writes every dirty buffer and waits: the kernel's {@code sync_blockdev}. Blocks that wait for
   * others (see {@link #orderBefore}) go in later rounds, each after a device flush, so the disk
   * never holds one before what it waits for. Returns 0 or the first errno; a failed round leaves
   * the blocks of the next ones dirty for the next sync.
   */
  @Override
  public int sync() {
    synchronized (orderedWriters) {
      int err;
      // Rounds: one per link of the longest chain of waits; the bound only stops a sync from
      // chasing the orders that operations running beside it keep adding.
      for (int round = 0; ; round++) {
        err = mapping.ops().writepages(mapping, WritebackControl.syncAll());
        WriteCachePages.waitRange(mapping, layer.blockLayer(), 0, Long.MAX_VALUE);
        int late = mapping.checkAndClearAsErrors();
        if (err == 0) {
          err = late;
        }
        if (err != 0 || order.isEmpty() || round == MAX_ROUNDS) {
          break;
        }
        // Clean before the flush is issued: the last write of such a block has completed, so
        // the flush makes it durable. A block cleaned while the flush runs waits for a next round.
        Set<Long> written = order.firsts(this::isClean);
        if (written.isEmpty()) {
          continue; // changed again meanwhile: written again in the next round
        }
        if (!layer.blockLayer().flushDevice(bdev).isOk()) {
          err = 5;
          break;
        }
        order.release(written::contains);
      }
      layer.pageCache().markMappingClean(mapping);
      return err;
    }
  }

  /**
   * Forgets dirty state of cached copies of blocks {@code [block, block + count)}, which were just
   * reallocated as file data: the kernel's {@code clean_bdev_aliases}.
   */
  void cleanAliases(long block, int count) {
    for (long b = block; b < block + count; b++) {
      BufferHead bh = findBlock(b);
      if (bh == null) {
        continue;
      }
      try {
        bh.clear(BhState.DIRTY);
        bh.waitUnlocked();
        bh.clear(BhState.REQ);
      } finally {
        bh.put();
      }
    }
  }

  /** The device as an inode: its size is the capacity. */
  record BdevInode(BlockDevice bdev, int blockBits) implements Inode {
    @Override
    public long ino() {
      return 0;
    }

    @Override
    public long size() {
      return bdev.capacitySectors() << 9;
    }

    @Override
    public void setSize(long size) {
      throw new UnsupportedOperationException("a block device does not change size");
    }
  }
}
