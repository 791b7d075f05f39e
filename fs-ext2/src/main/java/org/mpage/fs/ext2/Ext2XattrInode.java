// fs/ext4/xattr.c: ext4_xattr_ibody_get, ext4_xattr_ibody_list, ext4_xattr_ibody_set,
// xattr_check_inode (ext2 has no in-inode attributes; e2fsprogs and ext4 write them)
package org.mpage.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.XattrArea;
import org.mpage.fs.ext2.disk.XattrEntry;

/**
 * Attributes kept in the inode itself, in the space a large inode (more than 128 bytes) has after
 * i_extra_isize: a 4-byte magic (the EA block's), then an {@link XattrArea} whose value offsets
 * count from the first entry, to the inode's end.
 *
 * <pre>
 *   0        128            128+extra  +4                                  inode size
 *   | ext2   | extra fields | magic    | entries ... 0000 |  free  | values |
 * </pre>
 *
 * <p>The area is edited in the inode's raw bytes ({@link Ext2Inode#raw}), which the next write of
 * the inode puts in the inode table as they are. An inode whose i_extra_isize is 0 (one this driver
 * made) gets the 32 bytes of ext4's fields first, zero, as the kernel's ext4_iget assumes for it.
 * The caller holds the filesystem lock.
 */
final class Ext2XattrInode {
  /** What i_extra_isize becomes in an inode that had none: sizeof(struct ext4_inode) - 128. */
  static final int WANT_EXTRA_ISIZE = 32;

  private final Ext2SbInfo fs;
  private final int inodeSize;

  Ext2XattrInode(Ext2SbInfo fs) {
    this.fs = fs;
    this.inodeSize = fs.superblock().inodeSize;
  }

  /** Where the area's magic is, for an i_extra_isize of {@code extra}. */
  private static int start(int extra) {
    return Ext2Superblock.GOOD_OLD_INODE_SIZE + extra;
  }

  // ext4_xattr_ibody_get and ext4_xattr_ibody_list: xattr_check_inode, then the entries
  /** The in-inode entries of {@code ei} in on-disk order; empty if it has no area or no magic. */
  List<XattrEntry> read(Ext2Inode ei) throws CorruptFilesystemException {
    int start = start(ei.extraIsize);
    if (inodeSize <= Ext2Superblock.GOOD_OLD_INODE_SIZE || ei.extraIsize == 0) {
      return List.of();
    }
    if (start + 4 > inodeSize) {
      return List.of();
    }
    ByteBuffer b = ByteBuffer.wrap(ei.raw).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(start) != Ext2XattrBlock.MAGIC) {
      return List.of();
    }
    try {
      return XattrArea.parse(b, start + 4, start + 4, inodeSize);
    } catch (CorruptFilesystemException e) {
      throw fs.corrupt("in-inode extended attributes: " + e.problem(), ei.ino, -1);
    }
  }

  /**
   * The bytes the area offers for entries, values and the terminator, -1 if the inode has no room
   * for attributes (128-byte inodes, or extra fields this driver did not write and cannot move).
   */
  int capacity(Ext2Inode ei) {
    int extra = ei.extraIsize;
    if (extra == 0) {
      if (!canTakeExtraFields(ei)) {
        return -1;
      }
      extra = WANT_EXTRA_ISIZE;
    }
    return inodeSize - start(extra) - 4;
  }

  /** An inode with i_extra_isize 0 whose extra space is all zeros may take ext4's 32 bytes. */
  private boolean canTakeExtraFields(Ext2Inode ei) {
    if (inodeSize < start(WANT_EXTRA_ISIZE) + 4 + XattrEntry.entryLen(1) + 4) {
      return false;
    }
    for (int i = Ext2Superblock.GOOD_OLD_INODE_SIZE; i < inodeSize; i++) {
      if (ei.raw[i] != 0) {
        return false;
      }
    }
    return true;
  }

  // ext4_xattr_ibody_set, as a rewrite of the whole area
  /**
   * Makes the area hold exactly {@code entries} (in the kernel's order); empty clears the magic.
   * The caller checked {@link XattrArea#needed} against {@link #capacity}. Marks the inode changed.
   */
  void write(Ext2Inode ei, List<XattrEntry> entries) {
    ByteBuffer b = ByteBuffer.wrap(ei.raw).order(ByteOrder.LITTLE_ENDIAN);
    if (entries.isEmpty()) {
      if (ei.extraIsize != 0 && start(ei.extraIsize) + 4 <= inodeSize) {
        for (int i = start(ei.extraIsize); i < inodeSize; i++) {
          ei.raw[i] = 0;
        }
        fs.inodeChanged(ei);
      }
      return;
    }
    if (ei.extraIsize == 0) {
      ei.extraIsize = WANT_EXTRA_ISIZE;
      b.putShort(Ext2Superblock.GOOD_OLD_INODE_SIZE, (short) WANT_EXTRA_ISIZE);
    }
    int start = start(ei.extraIsize);
    b.putInt(start, Ext2XattrBlock.MAGIC);
    XattrArea.write(b, start + 4, start + 4, inodeSize, entries);
    fs.inodeChanged(ei);
  }
}
