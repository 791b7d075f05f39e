// fs/ext2/balloc.c
package org.mpage.fs.ext2;

import java.io.IOException;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.NoSpaceException;
import org.mpage.fs.ext2.disk.Bitmap;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;

/**
 * Block allocation over the block bitmaps, as the kernel's fs/ext2/balloc.c. Counts in the group
 * descriptors and the superblock are kept exact. Callers hold the filesystem's lock.
 *
 * <p>Reservation windows: each regular file being written owns a window of blocks ahead of its last
 * allocation (8 blocks at first, doubling whenever more than half of it was used, up to 1027, as
 * {@code EXT2_DEFAULT_RESERVE_BLOCKS} and {@code EXT2_MAX_RESERVE_BLOCKS}). Other files allocate
 * around the windows, so files written at the same time do not interleave block by block. Windows
 * are in memory only, like the kernel's.
 */
final class Ext2Balloc {
  static final int DEFAULT_RESERVE = 8;
  static final int MAX_RESERVE = 1027;

  /** A file's window {@code [start, end)} and how many of its blocks the file has taken. */
  private static final class Window {
    long start;
    long end;
    long used;
    final long ino;

    Window(long ino) {
      this.ino = ino;
    }
  }

  private final java.util.TreeMap<Long, Window> windows = new java.util.TreeMap<>();
  private final java.util.HashMap<Long, Window> windowOf = new java.util.HashMap<>();
  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final BufferCache bc;

  Ext2Balloc(Ext2SbInfo fs) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.bc = fs.bufferCache();
  }

  private long groupStart(long g) {
    return fs.groupStart(g);
  }

  // the "allocating block in system zone" check of ext2_new_blocks
  /** Whether {@code block} is the group's own metadata (superblock copy, tables, bitmaps). */
  private boolean isMetadata(long g, long block) {
    GroupDesc gd = fs.group(g);
    long start = groupStart(g);
    if (sb.groupHasSuper(g)) {
      long gdtBlocks = (sb.groupsCount * GroupDesc.SIZE + sb.blockSize - 1) / sb.blockSize;
      if (block < start + 1 + gdtBlocks) {
        return true;
      }
    }
    long tableBlocks = (sb.inodesPerGroup * sb.inodeSize + sb.blockSize - 1) / sb.blockSize;
    return block == gd.blockBitmap()
        || block == gd.inodeBitmap()
        || (block >= gd.inodeTable() && block < gd.inodeTable() + tableBlocks);
  }

  // ext2_new_blocks
  /**
   * Allocates up to {@code count} consecutive blocks, starting as near {@code goal} as free space
   * allows: the kernel's {@code ext2_new_blocks}. Returns {first, n}.
   *
   * @throws NoSpaceException when no block is free
   */
  long[] allocBlocks(long goal, int count, long ino) throws IOException {
    return allocBlocks(goal, count, ino, false);
  }

  /**
   * As {@link #allocBlocks(long, int, long)}; {@code reserve} gives the file a reservation window
   * (regular file data).
   */
  long[] allocBlocks(long goal, int count, long ino, boolean reserve) throws IOException {
    if (!reserve) {
      return allocPlain(goal, count, ino);
    }
    Window w = windowOf.get(ino);
    if (w != null && goal >= w.start && goal < w.end) {
      long[] got = allocPlainIn(goal, (int) Math.min(count, w.end - goal), ino, w);
      if (got != null) {
        w.used += got[1];
        return got;
      }
    }
    // A new window at the goal (or the first free block after it outside other windows).
    long size = DEFAULT_RESERVE;
    if (w != null) {
      size =
          w.used * 2 > (w.end - w.start)
              ? Math.min(MAX_RESERVE, (w.end - w.start) * 2)
              : w.end - w.start;
      windows.remove(w.start);
    } else {
      w = new Window(ino);
      windowOf.put(ino, w);
    }
    long[] got = allocPlain(goal, count, ino);
    w.start = got[0];
    w.end = Math.min(sb.blocksCount, got[0] + Math.max(size, got[1]));
    Window other =
        windows.ceilingEntry(w.start) == null ? null : windows.ceilingEntry(w.start).getValue();
    if (other != null && other.start < w.end) {
      w.end = Math.max(got[0] + got[1], other.start);
    }
    w.used = got[1];
    windows.put(w.start, w);
    return got;
  }

  // ext2_discard_reservation
  /** Forgets a file's window (truncation, deletion, unmount). */
  void discardWindow(long ino) {
    Window w = windowOf.remove(ino);
    if (w != null) {
      windows.remove(w.start);
    }
  }

  /** Whether {@code block} lies in a window that is not {@code ino}'s. */
  private boolean inOtherWindow(long block, long ino) {
    java.util.Map.Entry<Long, Window> e = windows.floorEntry(block);
    return e != null && e.getValue().ino != ino && block < e.getValue().end;
  }

  /** Allocates inside window {@code w} from {@code goal}, or returns null. */
  private long[] allocPlainIn(long goal, int count, long ino, Window w) throws IOException {
    long g = (goal - sb.firstDataBlock) / sb.blocksPerGroup;
    GroupDesc gd = fs.group(g);
    if (gd.freeBlocks == 0) {
      return null;
    }
    long start = groupStart(g);
    long limit = Math.min(sb.groupOfBlockCount(g), w.end - start);
    return allocInGroup(g, gd, start, limit, (int) (goal - start), count, ino);
  }

  private long[] allocPlain(long goal, int count, long ino) throws IOException {
    if (sb.freeBlocksCount == 0) {
      throw new NoSpaceException("no free blocks left on " + fs.device().name());
    }
    if (goal < sb.firstDataBlock || goal >= sb.blocksCount) {
      goal = sb.firstDataBlock;
    }
    long groups = sb.groupsCount;
    long g0 = (goal - sb.firstDataBlock) / sb.blocksPerGroup;
    for (long i = 0; i <= groups; i++) {
      long g = (g0 + i) % groups;
      GroupDesc gd = fs.group(g);
      if (gd.freeBlocks == 0) {
        continue;
      }
      long start = groupStart(g);
      long nblocks = sb.groupOfBlockCount(g);
      int from = i == 0 ? (int) (goal - start) : 0;
      long[] got = allocInGroup(g, gd, start, nblocks, from, count, ino);
      if (got == null && i == 0 && from > 0) {
        got = allocInGroup(g, gd, start, nblocks, 0, count, ino);
      }
      if (got != null) {
        return got;
      }
    }
    if (!windows.isEmpty()) {
      // Only reserved space is left: reservations give way rather than fail the write.
      windows.clear();
      windowOf.clear();
      return allocPlain(goal, count, ino);
    }
    throw new NoSpaceException("no free blocks left on " + fs.device().name());
  }

  private long[] allocInGroup(
      long g, GroupDesc gd, long start, long nblocks, int from, int count, long ino)
      throws IOException {
    BufferHead bh = bc.bread(gd.blockBitmap());
    try {
      java.nio.ByteBuffer map = bh.data();
      for (int bit = from; bit < nblocks; bit++) {
        if (Bitmap.testBit(map, bit) || inOtherWindow(start + bit, ino)) {
          continue;
        }
        if (isMetadata(g, start + bit)) {
          throw fs.corrupt(
              "block bitmap of group " + g + " marks metadata block " + (start + bit) + " free",
              ino,
              gd.blockBitmap());
        }
        int n = 1;
        while (n < count
            && bit + n < nblocks
            && !Bitmap.testBit(map, bit + n)
            && !isMetadata(g, start + bit + n)) {
          n++;
        }
        for (int k = 0; k < n; k++) {
          Bitmap.setBit(map, bit + k, true);
        }
        bc.markBufferDirty(bh);
        gd.freeBlocks -= n;
        sb.freeBlocksCount -= n;
        fs.groupChanged(g);
        return new long[] {start + bit, n};
      }
      return null;
    } finally {
      bh.put();
    }
  }

  // ext2_free_blocks
  /** Returns blocks to the free pool: the kernel's {@code ext2_free_blocks}. */
  void freeBlocks(long block, long count, long ino) throws IOException {
    for (long b = block; b < block + count; b++) {
      fs.checkBlock(b, ino, "block being freed");
      long g = (b - sb.firstDataBlock) / sb.blocksPerGroup;
      GroupDesc gd = fs.group(g);
      BufferHead bh = bc.bread(gd.blockBitmap());
      try {
        int bit = (int) (b - groupStart(g));
        if (!Bitmap.testBit(bh.data(), bit)) {
          throw fs.corrupt("freeing block " + b + " which is already free", ino, b);
        }
        Bitmap.setBit(bh.data(), bit, false);
        bc.markBufferDirty(bh);
      } finally {
        bh.put();
      }
      gd.freeBlocks++;
      sb.freeBlocksCount++;
      fs.groupChanged(g);
    }
  }
}
