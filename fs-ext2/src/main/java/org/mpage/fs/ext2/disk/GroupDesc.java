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

  /** The smallest descriptor of a 64bit filesystem: the 32-byte one and the upper halves. */
  public static final int SIZE_64BIT = 64;

  /** bg_flags: the group's inode table and bitmap were never written (uninit_bg). */
  public static final int INODE_UNINIT = 0x1;

  public static final int BLOCK_UNINIT = 0x2;

  private final long blockBitmap;
  private final long inodeBitmap;
  private final long inodeTable;
  public int freeBlocks;
  public int freeInodes;
  public int usedDirs;

  /** bg_flags; only meaningful with uninit_bg or metadata_csum. */
  private int flags;

  /** bg_itable_unused: inodes at the end of the group's table never used (uninit_bg). */
  private long itableUnused;

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

  // ext4_block_bitmap, ext4_inode_bitmap, ext4_inode_table and ext4_itable_unused_count
  /**
   * Parses the descriptor at {@code off}: 32 bytes, or with 64bit ({@code size} of 64 or more) also
   * the upper halves of its block numbers and counts.
   */
  public static GroupDesc parse(ByteBuffer block, int off, int size) {
    ByteBuffer d = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    boolean wide = size >= SIZE_64BIT;
    GroupDesc gd =
        new GroupDesc(
            u32(d, off) | (wide ? u32(d, off + 0x20) << 32 : 0),
            u32(d, off + 4) | (wide ? u32(d, off + 0x24) << 32 : 0),
            u32(d, off + 8) | (wide ? u32(d, off + 0x28) << 32 : 0),
            u16(d, off + 12) | (wide ? u16(d, off + 0x2C) << 16 : 0),
            u16(d, off + 14) | (wide ? u16(d, off + 0x2E) << 16 : 0),
            u16(d, off + 16) | (wide ? u16(d, off + 0x30) << 16 : 0));
    gd.flags = u16(d, off + 0x12);
    gd.itableUnused = u16(d, off + 0x1C) | (wide ? (long) u16(d, off + 0x32) << 16 : 0);
    return gd;
  }

  private static long u32(ByteBuffer d, int off) {
    return Integer.toUnsignedLong(d.getInt(off));
  }

  private static int u16(ByteBuffer d, int off) {
    return Short.toUnsignedInt(d.getShort(off));
  }

  public int flags() {
    return flags;
  }

  public long itableUnused() {
    return itableUnused;
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
