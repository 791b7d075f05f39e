// fs/ext2/ext2.h: struct ext2_group_desc
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One block group descriptor (32 bytes): where the group's bitmaps and inode table live, and its
 * free counts, which allocation keeps exact. Guarded by the filesystem's lock.
 */
public final class GroupDesc {
  public static final int SIZE = 32;

  private final long blockBitmap;
  private final long inodeBitmap;
  private final long inodeTable;
  public int freeBlocks;
  public int freeInodes;
  public int usedDirs;

  public GroupDesc(
      long blockBitmap,
      long inodeBitmap,
      long inodeTable,
      int freeBlocks,
      int freeInodes,
      int usedDirs) {
    this.blockBitmap = blockBitmap;
    this.inodeBitmap = inodeBitmap;
    this.inodeTable = inodeTable;
    this.freeBlocks = freeBlocks;
    this.freeInodes = freeInodes;
    this.usedDirs = usedDirs;
  }

  public long blockBitmap() {
    return blockBitmap;
  }

  public long inodeBitmap() {
    return inodeBitmap;
  }

  public long inodeTable() {
    return inodeTable;
  }

  /** Writes the descriptor at {@code offset} of a descriptor table block. */
  public void writeTo(ByteBuffer block, int offset) {
    ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(offset, (int) blockBitmap);
    b.putInt(offset + 4, (int) inodeBitmap);
    b.putInt(offset + 8, (int) inodeTable);
    b.putShort(offset + 12, (short) freeBlocks);
    b.putShort(offset + 14, (short) freeInodes);
    b.putShort(offset + 16, (short) usedDirs);
  }
}
