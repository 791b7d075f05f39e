package org.mpage.fs.ext2;

/** One block group descriptor (32 bytes): where the group's bitmaps and inode table live. */
record GroupDesc(
    long blockBitmap,
    long inodeBitmap,
    long inodeTable,
    int freeBlocks,
    int freeInodes,
    int usedDirs) {
  static final int SIZE = 32;
}
