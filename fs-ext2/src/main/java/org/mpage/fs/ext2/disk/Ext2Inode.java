// fs/ext2/ext2.h: struct ext2_inode, with the in-memory fields of struct ext2_inode_info
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mpage.api.blockmap.MappedInode;
import org.mpage.api.fs.FileType;

/**
 * An ext2 on-disk inode as read from its inode table: mode, owners, times, size, the 15 block
 * pointers (12 direct, single, double and triple indirect). Also the page cache's view of the file
 * ({@link Inode}), and the in-memory state the kernel keeps beside it (dirty, the last allocation).
 * One object per inode and mount: the namespace operations and allocation change its fields under
 * the filesystem lock and the next sync writes it back. The size is volatile: readers read it
 * without locks.
 */
public final class Ext2Inode implements MappedInode {
  public static final int N_BLOCKS = 15;

  /** EXT_MAX_BLOCKS: an extent-mapped file's blocks are numbered in 32 bits. */
  public static final long EXTENT_MAX_BLOCKS = 0xFFFF_FFFFL;

  public static final int NDIR_BLOCKS = 12;
  public static final int IND_BLOCK = 12;
  public static final int DIND_BLOCK = 13;
  public static final int TIND_BLOCK = 14;

  public static final int S_IFMT = 0xF000;
  public static final int S_IFSOCK = 0xC000;
  public static final int S_IFLNK = 0xA000;
  public static final int S_IFREG = 0x8000;
  public static final int S_IFBLK = 0x6000;
  public static final int S_IFDIR = 0x4000;
  public static final int S_IFCHR = 0x2000;
  public static final int S_IFIFO = 0x1000;

  public final long ino;
  public final int blockBits;
  public int mode;
  public long uid;
  public long gid;
  private volatile long size;
  public long atime;
  public long ctime;
  public long mtime;
  public long dtime;
  public int links;

  /** In memory only: the inode is being freed (its last link and last open handle are gone). */
  public boolean freed;

  public long blocks;
  public int flags;
  public final long[] block = new long[N_BLOCKS];
  public long fileAcl;
  public long generation;

  /** The raw bytes of the block map (i_block), where fast symlinks keep their target. */
  public final byte[] blockBytes = new byte[N_BLOCKS * 4];

  /** The whole on-disk inode as read, so that fields this driver does not know survive writes. */
  public final byte[] raw;

  /** Set when the in-memory inode differs from its inode table copy. */
  public volatile boolean dirty;

  /** Where the last allocation for this file went: the goal of the next (ext2_block_alloc_info). */
  public long lastAllocLogical = -1;

  public long lastAllocPhysical;

  public static final int INDEX_FL = 0x1000;
  public static final int HUGE_FILE_FL = 0x40000;
  public static final int EXTENTS_FL = 0x80000;
  public static final int INLINE_DATA_FL = 0x10000000;

  /**
   * i_extra_isize: bytes of the inode past the 128 of ext2 that hold fields (the rest, up to the
   * inode size, holds extended attributes). 0 in a 128-byte inode.
   */
  public int extraIsize;

  /** A new, zeroed inode of {@code inodeSize} bytes. */
  public Ext2Inode(long ino, int blockBits, int inodeSize) {
    this.ino = ino;
    this.blockBits = blockBits;
    this.raw = new byte[inodeSize];
  }

  /**
   * Parses the inode at {@code offset} of an inode table block, as ext4_iget() reads its fields:
   * ext2's, and on an ext4 filesystem the upper half of i_blocks (huge_file, in filesystem blocks
   * when the inode says so), the directory size's upper half (large_dir) and i_extra_isize.
   */
  public Ext2Inode(long ino, ByteBuffer raw, int offset, Ext2Superblock sb) {
    this.ino = ino;
    this.blockBits = sb.blockBits();
    int inodeSize = sb.inodeSize;
    boolean largeFile = sb.revLevel > 0;
    this.raw = new byte[inodeSize];
    ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.get(offset, this.raw);
    mode = Short.toUnsignedInt(b.getShort(offset));
    int uidLow = Short.toUnsignedInt(b.getShort(offset + 2));
    long sizeLow = Integer.toUnsignedLong(b.getInt(offset + 4));
    atime = Integer.toUnsignedLong(b.getInt(offset + 8));
    ctime = Integer.toUnsignedLong(b.getInt(offset + 12));
    mtime = Integer.toUnsignedLong(b.getInt(offset + 16));
    dtime = Integer.toUnsignedLong(b.getInt(offset + 20));
    int gidLow = Short.toUnsignedInt(b.getShort(offset + 24));
    links = Short.toUnsignedInt(b.getShort(offset + 26));
    blocks = Integer.toUnsignedLong(b.getInt(offset + 28));
    flags = b.getInt(offset + 32);
    for (int i = 0; i < N_BLOCKS; i++) {
      block[i] = Integer.toUnsignedLong(b.getInt(offset + 40 + 4 * i));
    }
    b.get(offset + 40, blockBytes);
    generation = Integer.toUnsignedLong(b.getInt(offset + 100));
    fileAcl = Integer.toUnsignedLong(b.getInt(offset + 104));
    long sizeHigh = Integer.toUnsignedLong(b.getInt(offset + 108));
    int uidHigh = Short.toUnsignedInt(b.getShort(offset + 120));
    int gidHigh = Short.toUnsignedInt(b.getShort(offset + 122));
    uid = uidLow | ((long) uidHigh << 16);
    gid = gidLow | ((long) gidHigh << 16);
    // i_size_high is the upper half of a regular file's size (large_file); for directories the
    // field is i_dir_acl and the size is 32 bits.
    boolean regular = (mode & S_IFMT) == S_IFREG;
    boolean dir = (mode & S_IFMT) == S_IFDIR;
    boolean largeDir = sb.hasIncompat(Ext2Features.INCOMPAT_LARGEDIR);
    size = (regular && largeFile) || (dir && largeDir) ? sizeLow | (sizeHigh << 32) : sizeLow;
    if (sb.hasRoCompat(Ext2Features.RO_COMPAT_HUGE_FILE)) {
      blocks |= (long) Short.toUnsignedInt(b.getShort(offset + 116)) << 32;
      if ((flags & HUGE_FILE_FL) != 0) {
        blocks <<= blockBits - 9;
      }
    }
    extraIsize =
        inodeSize > Ext2Superblock.GOOD_OLD_INODE_SIZE
            ? Short.toUnsignedInt(b.getShort(offset + Ext2Superblock.GOOD_OLD_INODE_SIZE))
            : 0;
  }

  /** Whether the block map is an extent tree (ext4's EXT4_EXTENTS_FL). */
  public boolean usesExtents() {
    return (flags & EXTENTS_FL) != 0;
  }

  /** Whether the data lives in the inode itself (ext4's EXT4_INLINE_DATA_FL). */
  public boolean hasInlineData() {
    return (flags & INLINE_DATA_FL) != 0;
  }

  /** Serializes the inode into its slot of an inode table block: the kernel's ext2_write_inode. */
  public void writeTo(ByteBuffer table, int offset) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    long sz = size;
    b.putShort(0, (short) mode);
    b.putShort(2, (short) uid);
    b.putInt(4, (int) sz);
    b.putInt(8, (int) atime);
    b.putInt(12, (int) ctime);
    b.putInt(16, (int) mtime);
    b.putInt(20, (int) dtime);
    b.putShort(24, (short) gid);
    b.putShort(26, (short) links);
    b.putInt(28, (int) blocks);
    b.putInt(32, flags);
    if (isFastSymlink()) {
      b.put(40, blockBytes);
    } else {
      for (int i = 0; i < N_BLOCKS; i++) {
        b.putInt(40 + 4 * i, (int) block[i]);
      }
    }
    b.putInt(100, (int) generation);
    b.putInt(104, (int) fileAcl);
    if (isRegular()) {
      b.putInt(108, (int) (sz >>> 32));
    }
    b.putShort(120, (short) (uid >>> 16));
    b.putShort(122, (short) (gid >>> 16));
    table.duplicate().put(offset, raw);
  }

  // ext2_iget / ext2_write_inode for S_ISCHR and S_ISBLK (old_decode_dev, new_encode_dev)
  /**
   * A device inode's number (user-space {@code dev_t}): the old 16-bit encoding in i_block[0], or
   * when that is 0 the new 32-bit one in i_block[1].
   */
  public long rdev() {
    if (block[0] != 0) {
      return org.mpage.api.fs.FileStat.makedev((block[0] >>> 8) & 0xff, block[0] & 0xff);
    }
    long dev = block[1];
    return org.mpage.api.fs.FileStat.makedev(
        (dev & 0xfff00) >>> 8, (dev & 0xff) | ((dev >>> 12) & 0xfff00));
  }

  /**
   * Stores a device number as the kernel does: the old encoding in i_block[0] when major and minor
   * are both below 256, else 0 there and the new encoding (12-bit major, 20-bit minor) in
   * i_block[1].
   */
  public void setRdev(long rdev) {
    long major = org.mpage.api.fs.FileStat.major(rdev);
    long minor = org.mpage.api.fs.FileStat.minor(rdev);
    java.util.Arrays.fill(block, 0);
    if (major < 256 && minor < 256) {
      block[0] = (major << 8) | minor;
    } else {
      block[1] =
          ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12)) & 0xffff_ffffL;
    }
  }

  /**
   * Whether i_block is a block map (regular files, directories, slow symlinks), as the kernel's
   * ext2_truncate_blocks asks.
   */
  public boolean hasBlockMap() {
    int fmt = mode & S_IFMT;
    return (fmt == S_IFREG || fmt == S_IFDIR || fmt == S_IFLNK) && !isFastSymlink();
  }

  public FileType type() {
    return switch (mode & S_IFMT) {
      case S_IFREG -> FileType.REGULAR;
      case S_IFDIR -> FileType.DIRECTORY;
      case S_IFLNK -> FileType.SYMLINK;
      case S_IFCHR -> FileType.CHAR_DEVICE;
      case S_IFBLK -> FileType.BLOCK_DEVICE;
      case S_IFIFO -> FileType.FIFO;
      case S_IFSOCK -> FileType.SOCKET;
      default -> FileType.UNKNOWN;
    };
  }

  public boolean isDir() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public boolean isSymlink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  public boolean isRegular() {
    return (mode & S_IFMT) == S_IFREG;
  }

  /**
   * A symlink whose target lives in the block map itself: the kernel's {@code
   * ext2_inode_is_fast_symlink} (no data blocks other than an extended attribute block).
   */
  public boolean isFastSymlink() {
    long eaBlocks = fileAcl != 0 ? (1L << blockBits) >> 9 : 0;
    return isSymlink() && !hasInlineData() && blocks - eaBlocks == 0;
  }

  @Override
  public byte[] blockMap() {
    return blockBytes;
  }

  @Override
  public long ino() {
    return ino;
  }

  @Override
  public int blockBits() {
    return blockBits;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void setSize(long size) {
    this.size = size;
    this.dirty = true;
  }

  @Override
  public String toString() {
    return "inode " + ino;
  }
}
