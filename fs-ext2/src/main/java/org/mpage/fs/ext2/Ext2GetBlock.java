package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteOrder;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;

/**
 * ext2's block mapper: the read half of the kernel's {@code ext2_get_blocks} (fs/ext2/inode.c).
 *
 * <p>A file block is found through the inode's 12 direct pointers, then one, two or three levels of
 * indirect blocks read through the device's buffer cache. One call maps as many blocks as the
 * caller asks for, as long as they are physically consecutive and do not cross the end of the
 * direct area or of an indirect block. Reaching that end sets {@link BhState#BOUNDARY}: the next
 * block's mapping needs another indirect block, which mpage lets the disk read in order after the
 * data gathered so far.
 *
 * <p>Every pointer is checked against the filesystem's size before it is followed or returned.
 */
final class Ext2GetBlock implements GetBlock {
  private final Ext2FileSystem fs;
  private final boolean boundaryHints;

  Ext2GetBlock(Ext2FileSystem fs, boolean boundaryHints) {
    this.fs = fs;
    this.boundaryHints = boundaryHints;
  }

  /** Where a file block's pointer is: the path of slot indexes and the distance to a boundary. */
  record BlockPath(int depth, int[] offsets, long blocksToBoundary) {}

  /** Port of ext2_block_to_path(), fs/ext2/inode.c. Depth 0: beyond the largest file. */
  static BlockPath blockToPath(long iblock, int blockBits) {
    int ptrsBits = blockBits - 2;
    long ptrs = 1L << ptrsBits;
    long direct = Ext2Inode.NDIR_BLOCKS;
    long indirect = ptrs;
    long doubleBlocks = 1L << (ptrsBits * 2);
    int[] offsets = new int[4];
    int n = 0;
    long finalSlots;
    long i = iblock;
    if (i < 0) {
      return new BlockPath(0, offsets, 0);
    }
    if (i < direct) {
      offsets[n++] = (int) i;
      finalSlots = direct;
    } else if ((i -= direct) < indirect) {
      offsets[n++] = Ext2Inode.IND_BLOCK;
      offsets[n++] = (int) i;
      finalSlots = ptrs;
    } else if ((i -= indirect) < doubleBlocks) {
      offsets[n++] = Ext2Inode.DIND_BLOCK;
      offsets[n++] = (int) (i >> ptrsBits);
      offsets[n++] = (int) (i & (ptrs - 1));
      finalSlots = ptrs;
    } else if (((i -= doubleBlocks) >> (ptrsBits * 2)) < ptrs) {
      offsets[n++] = Ext2Inode.TIND_BLOCK;
      offsets[n++] = (int) (i >> (ptrsBits * 2));
      offsets[n++] = (int) ((i >> ptrsBits) & (ptrs - 1));
      offsets[n++] = (int) (i & (ptrs - 1));
      finalSlots = ptrs;
    } else {
      return new BlockPath(0, offsets, 0);
    }
    long boundary = finalSlots - 1 - (i & (ptrs - 1));
    return new BlockPath(n, offsets, boundary);
  }

  /** Most file blocks an inode can address with this block size. */
  static long maxBlocks(int blockBits) {
    long ptrs = 1L << (blockBits - 2);
    return Ext2Inode.NDIR_BLOCKS + ptrs + ptrs * ptrs + ptrs * ptrs * ptrs;
  }

  @Override
  public void getBlock(Inode inode, long iblock, BufferHead bh, boolean create) throws IOException {
    Ext2Inode ei = (Ext2Inode) inode;
    int blockBits = ei.blockBits();
    int maxBlocks = Math.max(1, bh.size() >> blockBits);
    BlockPath path = blockToPath(iblock, blockBits);
    if (path.depth() == 0) {
      throw fs.corrupt("block " + iblock + " is beyond the largest possible file", ei.ino, -1);
    }
    if (create && !fs.readOnly()) {
      throw new IOException("ext2 block allocation is not available yet (read-only driver)");
    }
    // Walk the branch; a zero pointer anywhere means a hole.
    int[] offsets = path.offsets();
    long ptr = ei.block[offsets[0]];
    long[] holder = null; // the pointer array of the last level, for the contiguity scan
    int holderSlot = offsets[0];
    for (int level = 1; level < path.depth(); level++) {
      if (ptr == 0) {
        return; // hole
      }
      fs.checkBlock(ptr, ei.ino, "indirect block");
      long[] slots = fs.readPointers(ptr, ei.ino);
      ptr = slots[offsets[level]];
      holder = slots;
      holderSlot = offsets[level];
    }
    if (ptr == 0) {
      return; // hole
    }
    fs.checkBlock(ptr, ei.ino, "data block");
    int count = 1;
    while (count < maxBlocks && count <= path.blocksToBoundary()) {
      long next = holder == null ? ei.block[holderSlot + count] : holder[holderSlot + count];
      if (next != ptr + count) {
        break;
      }
      count++;
    }
    fs.checkBlock(ptr + count - 1, ei.ino, "data block");
    bh.map(fs.device(), ptr);
    bh.setSize(count << blockBits);
    if (boundaryHints && count > path.blocksToBoundary()) {
      bh.set(BhState.BOUNDARY);
    }
  }

  /** Reads 32-bit little-endian pointers of an indirect block. */
  static long[] pointers(java.nio.ByteBuffer data) {
    java.nio.ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = Integer.toUnsignedLong(b.getInt(i * 4));
    }
    return out;
  }
}
