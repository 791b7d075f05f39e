// fs/ext4/inline.c: ext4_read_inline_data, ext4_read_inline_dir; fs/ext4/xattr.c: in-inode xattrs
package org.mpage.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.fs.ext2.disk.DirEntries;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * ext4's inline data, read only: a small file, directory or symlink kept in its inode. The first 60
 * bytes are in the block map (i_block); the rest, if any, is the value of the extended attribute
 * {@code system.data} stored in the inode's own space after i_extra_isize.
 *
 * <p>An inline directory has no "." entry and its ".." is only a parent inode number in the first 4
 * bytes of i_block; entries follow in the rest of i_block, and in the attribute's value if there is
 * one, each area tiled by its own records.
 */
final class Ext4InlineData {
  /** EXT4_MIN_INLINE_DATA_SIZE: the block map's bytes. */
  static final int IN_BLOCK_MAP = Ext2Inode.N_BLOCKS * 4;

  /** EXT4_XATTR_MAGIC: the in-inode attribute area's header. */
  private static final int XATTR_MAGIC = 0xEA02_0000;

  /** EXT4_XATTR_INDEX_SYSTEM: the name prefix "system.". */
  private static final int INDEX_SYSTEM = 7;

  private static final int ENTRY_HEADER = 16;
  private static final int DOTDOT_SIZE = 4;

  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;

  Ext4InlineData(Ext2SbInfo fs) {
    this.fs = fs;
    this.sb = fs.superblock();
  }

  // ext4_read_inline_data
  /** The whole content of an inline-data file or symlink: i_size bytes. */
  byte[] read(Ext2Inode ei) throws CorruptFilesystemException {
    byte[] extra = systemData(ei);
    long size = ei.size();
    if (size > IN_BLOCK_MAP + extra.length) {
      throw fs.corrupt(
          "inline data of size "
              + size
              + " larger than the inode holds ("
              + (IN_BLOCK_MAP + extra.length)
              + " bytes)",
          ei.ino,
          -1);
    }
    byte[] out = new byte[(int) size];
    System.arraycopy(ei.blockBytes, 0, out, 0, Math.min(out.length, IN_BLOCK_MAP));
    if (out.length > IN_BLOCK_MAP) {
      System.arraycopy(extra, 0, out, IN_BLOCK_MAP, out.length - IN_BLOCK_MAP);
    }
    return out;
  }

  // ext4_read_inline_dir, with the "." and ".." the kernel makes up
  /** The entries of an inline directory, "." and ".." first. */
  List<DirEntries.Raw> readDir(Ext2Inode dir) throws CorruptFilesystemException {
    List<DirEntries.Raw> out = new ArrayList<>();
    long parent =
        ByteBuffer.wrap(dir.blockBytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xFFFF_FFFFL;
    if (parent == 0 || parent > sb.inodesCount) {
      throw fs.corrupt("inline directory with parent inode " + parent, dir.ino, -1);
    }
    out.add(new DirEntries.Raw(dir.ino, 0, 0, new byte[] {'.'}, 2));
    out.add(new DirEntries.Raw(parent, 0, 0, new byte[] {'.', '.'}, 2));
    ByteBuffer map = ByteBuffer.wrap(dir.blockBytes, DOTDOT_SIZE, IN_BLOCK_MAP - DOTDOT_SIZE);
    DirEntries.parse(map.slice(), sb, dir.ino, 0, -1, out);
    byte[] extra = systemData(dir);
    if (extra.length > 0) {
      DirEntries.parse(ByteBuffer.wrap(extra), sb, dir.ino, 1, -1, out);
    }
    return out;
  }

  // ext4_xattr_ibody_get for system.data, with ext4_xattr_check_entries' bounds
  /** The value of the in-inode attribute {@code system.data}; empty if there is none. */
  private byte[] systemData(Ext2Inode ei) throws CorruptFilesystemException {
    int start = Ext2Superblock.GOOD_OLD_INODE_SIZE + ei.extraIsize;
    byte[] raw = ei.raw;
    if (raw.length <= Ext2Superblock.GOOD_OLD_INODE_SIZE || start + 4 > raw.length) {
      return new byte[0];
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(start) != XATTR_MAGIC) {
      return new byte[0];
    }
    int first = start + 4; // values are placed relative to the first entry
    int at = first;
    while (at + 4 <= raw.length && b.getInt(at) != 0) {
      if (at + ENTRY_HEADER > raw.length) {
        throw fs.corrupt("in-inode extended attribute runs past the inode", ei.ino, -1);
      }
      int nameLen = Byte.toUnsignedInt(b.get(at));
      int index = Byte.toUnsignedInt(b.get(at + 1));
      int valueOffs = Short.toUnsignedInt(b.getShort(at + 2));
      long valueInum = Integer.toUnsignedLong(b.getInt(at + 4));
      long valueSize = Integer.toUnsignedLong(b.getInt(at + 8));
      int next = at + ((ENTRY_HEADER + nameLen + 3) & ~3);
      if (next > raw.length) {
        throw fs.corrupt("in-inode extended attribute runs past the inode", ei.ino, -1);
      }
      if (index == INDEX_SYSTEM && nameLen == 4 && isData(raw, at + ENTRY_HEADER)) {
        if (valueInum != 0) {
          throw fs.corrupt("system.data kept in an attribute inode", ei.ino, -1);
        }
        if (first + valueOffs + valueSize > raw.length) {
          throw fs.corrupt(
              "system.data value of " + valueSize + " bytes runs past the inode", ei.ino, -1);
        }
        byte[] value = new byte[(int) valueSize];
        System.arraycopy(raw, first + valueOffs, value, 0, value.length);
        return value;
      }
      at = next;
    }
    return new byte[0];
  }

  private static boolean isData(byte[] raw, int at) {
    return raw[at] == 'd' && raw[at + 1] == 'a' && raw[at + 2] == 't' && raw[at + 3] == 'a';
  }
}
