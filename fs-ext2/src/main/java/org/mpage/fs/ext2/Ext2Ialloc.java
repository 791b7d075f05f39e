// fs/ext2/ialloc.c
package org.mpage.fs.ext2;

import java.io.IOException;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.NoSpaceException;
import org.mpage.fs.ext2.disk.Bitmap;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;

/**
 * Inode allocation over the inode bitmaps, as the kernel's fs/ext2/ialloc.c: directories spread
 * over the groups, files kept near their directory. Counts in the group descriptors (free inodes,
 * used directories) and the superblock are kept exact. Callers hold the filesystem's lock.
 */
final class Ext2Ialloc {
  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final BufferCache bc;

  Ext2Ialloc(Ext2SbInfo fs) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.bc = fs.bufferCache();
  }

  // ext2_new_inode (the bitmap half; Ext2Inodes.newInode fills the inode)
  /**
   * Allocates an inode: directories go to a group with more free inodes than average and the most
   * free blocks (spreading the tree), files to their parent's group first: the kernel's {@code
   * ext2_new_inode}.
   */
  long allocInode(long parentIno, boolean dir) throws IOException {
    if (sb.freeInodesCount == 0) {
      throw new NoSpaceException("no free inodes left on " + fs.device().name());
    }
    long groups = sb.groupsCount;
    long parentGroup = (parentIno - 1) / sb.inodesPerGroup;
    long[] order = new long[(int) groups];
    if (dir) {
      long avgFree = sb.freeInodesCount / groups;
      long best = -1;
      for (long g = 0; g < groups; g++) {
        GroupDesc gd = fs.group(g);
        if (gd.freeInodes > 0 && gd.freeInodes >= avgFree) {
          if (best < 0 || gd.freeBlocks > fs.group(best).freeBlocks) {
            best = g;
          }
        }
      }
      long first = best < 0 ? parentGroup : best;
      for (int i = 0; i < groups; i++) {
        order[i] = (first + i) % groups;
      }
    } else {
      for (int i = 0; i < groups; i++) {
        order[i] = (parentGroup + i) % groups;
      }
    }
    for (long g : order) {
      GroupDesc gd = fs.group(g);
      if (gd.freeInodes == 0) {
        continue;
      }
      BufferHead bh = bc.bread(gd.inodeBitmap());
      try {
        for (int bit = 0; bit < sb.inodesPerGroup; bit++) {
          long ino = g * sb.inodesPerGroup + bit + 1;
          if (ino < sb.firstIno || Bitmap.testBit(bh.data(), bit)) {
            continue;
          }
          Bitmap.setBit(bh.data(), bit, true);
          bc.markBufferDirty(bh);
          gd.freeInodes--;
          sb.freeInodesCount--;
          if (dir) {
            gd.usedDirs++;
          }
          fs.groupChanged(g);
          return ino;
        }
      } finally {
        bh.put();
      }
    }
    throw new NoSpaceException("no free inodes left on " + fs.device().name());
  }

  // ext2_free_inode
  /** Releases an inode number: the kernel's {@code ext2_free_inode}. */
  void freeInode(long ino, boolean dir) throws IOException {
    long g = (ino - 1) / sb.inodesPerGroup;
    int bit = (int) ((ino - 1) % sb.inodesPerGroup);
    GroupDesc gd = fs.group(g);
    BufferHead bh = bc.bread(gd.inodeBitmap());
    try {
      if (!Bitmap.testBit(bh.data(), bit)) {
        throw fs.corrupt("freeing inode " + ino + " which is already free", ino, gd.inodeBitmap());
      }
      Bitmap.setBit(bh.data(), bit, false);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
    gd.freeInodes++;
    sb.freeInodesCount++;
    if (dir) {
      gd.usedDirs--;
    }
    fs.groupChanged(g);
  }
}
