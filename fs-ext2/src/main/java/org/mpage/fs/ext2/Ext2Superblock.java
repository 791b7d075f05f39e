package org.mpage.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The ext2 superblock (1024 bytes at byte 1024 of the device), parsed and checked before any number
 * in it is used. Revisions 0 (fixed 128-byte inodes, first inode 11) and 1.
 */
final class Ext2Superblock {
  static final int OFFSET = 1024;
  static final int SIZE = 1024;
  static final int MAGIC = 0xEF53;
  static final int GOOD_OLD_REV = 0;
  static final int GOOD_OLD_INODE_SIZE = 128;
  static final int GOOD_OLD_FIRST_INO = 11;

  final long inodesCount;
  final long blocksCount;
  final long rBlocksCount;
  long freeBlocksCount;
  long freeInodesCount;
  final long firstDataBlock;
  final int logBlockSize;
  final long blocksPerGroup;
  final long inodesPerGroup;
  long mtime;
  long wtime;
  final int mntCount;
  final int magic;
  int state;
  final int errors;
  final int revLevel;
  final long lastCheck;
  final long firstIno;
  final int inodeSize;
  final int featureCompat;
  final int featureIncompat;
  int featureRoCompat;
  final byte[] uuid = new byte[16];
  final String volumeName;
  final String lastMounted;

  final int blockSize;
  final long groupsCount;

  /** The superblock as read, so that fields this driver does not know survive writes. */
  final byte[] raw = new byte[SIZE];

  /** Parses and checks; {@code deviceBytes} is the device's size. */
  Ext2Superblock(ByteBuffer raw, long deviceBytes) throws CorruptFilesystemException {
    ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.get(0, this.raw);
    inodesCount = u32(b, 0);
    blocksCount = u32(b, 4);
    rBlocksCount = u32(b, 8);
    freeBlocksCount = u32(b, 12);
    freeInodesCount = u32(b, 16);
    firstDataBlock = u32(b, 20);
    logBlockSize = b.getInt(24);
    blocksPerGroup = u32(b, 32);
    inodesPerGroup = u32(b, 40);
    mtime = u32(b, 44);
    wtime = u32(b, 48);
    mntCount = u16(b, 52);
    magic = u16(b, 56);
    state = u16(b, 58);
    errors = u16(b, 60);
    lastCheck = u32(b, 64);
    revLevel = b.getInt(76);
    if (magic != MAGIC) {
      throw new CorruptFilesystemException(
          String.format("not an ext2 filesystem: bad magic number 0x%04x", magic), -1, 1);
    }
    if (revLevel == GOOD_OLD_REV) {
      firstIno = GOOD_OLD_FIRST_INO;
      inodeSize = GOOD_OLD_INODE_SIZE;
      featureCompat = 0;
      featureIncompat = 0;
      featureRoCompat = 0;
    } else if (revLevel == 1) {
      firstIno = u32(b, 84);
      inodeSize = u16(b, 88);
      featureCompat = b.getInt(92);
      featureIncompat = b.getInt(96);
      featureRoCompat = b.getInt(100);
      b.get(104, uuid);
    } else {
      throw new CorruptFilesystemException("unknown revision level " + revLevel, -1, 1);
    }
    volumeName = cString(b, 120, 16);
    lastMounted = cString(b, 136, 64);

    if (logBlockSize < 0 || logBlockSize > 6) {
      throw new CorruptFilesystemException(
          "impossible block size (log " + logBlockSize + ")", -1, 1);
    }
    blockSize = 1024 << logBlockSize;
    if (inodesCount == 0 || blocksCount == 0) {
      throw new CorruptFilesystemException(
          "zero " + (inodesCount == 0 ? "inodes" : "blocks") + " count", -1, 1);
    }
    if (blocksPerGroup == 0 || blocksPerGroup > 8L * blockSize) {
      throw new CorruptFilesystemException("bad blocks per group " + blocksPerGroup, -1, 1);
    }
    if (inodesPerGroup == 0 || inodesPerGroup > 8L * blockSize) {
      throw new CorruptFilesystemException("bad inodes per group " + inodesPerGroup, -1, 1);
    }
    if (firstDataBlock >= blocksCount || firstDataBlock > 1) {
      throw new CorruptFilesystemException("bad first data block " + firstDataBlock, -1, 1);
    }
    if (revLevel != GOOD_OLD_REV) {
      if (inodeSize < GOOD_OLD_INODE_SIZE
          || Integer.bitCount(inodeSize) != 1
          || inodeSize > blockSize) {
        throw new CorruptFilesystemException("bad inode size " + inodeSize, -1, 1);
      }
      if (firstIno < GOOD_OLD_FIRST_INO || firstIno > inodesCount) {
        throw new CorruptFilesystemException("bad first inode " + firstIno, -1, 1);
      }
    }
    groupsCount = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
    if (inodesCount > groupsCount * inodesPerGroup) {
      throw new CorruptFilesystemException(
          "inodes count "
              + inodesCount
              + " exceeds "
              + groupsCount
              + " groups of "
              + inodesPerGroup
              + " inodes",
          -1,
          1);
    }
    if (deviceBytes >= 0 && blocksCount * blockSize > deviceBytes) {
      throw new CorruptFilesystemException(
          "the filesystem has "
              + blocksCount
              + " blocks of "
              + blockSize
              + " bytes but the device holds only "
              + deviceBytes / blockSize
              + " (truncated image?)",
          -1,
          -1);
    }
  }

  /** Serializes the changing fields over the raw copy and writes it at {@code offset}. */
  void writeTo(ByteBuffer block, int offset) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(12, (int) freeBlocksCount);
    b.putInt(16, (int) freeInodesCount);
    b.putInt(44, (int) mtime);
    b.putInt(48, (int) wtime);
    b.putShort(58, (short) state);
    if (revLevel > 0) {
      b.putInt(100, featureRoCompat);
    }
    block.duplicate().put(offset, raw);
  }

  /** Block groups that hold a superblock backup: 0, 1 and powers of 3, 5, 7 (sparse_super). */
  boolean groupHasSuper(long group) {
    if (!hasRoCompat(Ext2Features.RO_COMPAT_SPARSE_SUPER) || group <= 1) {
      return true;
    }
    return isPower(group, 3) || isPower(group, 5) || isPower(group, 7);
  }

  private static boolean isPower(long n, int base) {
    long p = base;
    while (p < n) {
      p *= base;
    }
    return p == n;
  }

  int blockBits() {
    return 10 + logBlockSize;
  }

  long groupOfBlockCount(long group) {
    long start = firstDataBlock + group * blocksPerGroup;
    return Math.min(blocksPerGroup, blocksCount - start);
  }

  boolean hasIncompat(int f) {
    return (featureIncompat & f) != 0;
  }

  boolean hasRoCompat(int f) {
    return (featureRoCompat & f) != 0;
  }

  boolean hasCompat(int f) {
    return (featureCompat & f) != 0;
  }

  String uuidString() {
    ByteBuffer u = ByteBuffer.wrap(uuid);
    return new UUID(u.getLong(0), u.getLong(8)).toString();
  }

  String stateString() {
    String s = (state & 1) != 0 ? "clean" : "not clean";
    if ((state & 2) != 0) {
      s += " with errors";
    }
    return s;
  }

  static long u32(ByteBuffer b, int off) {
    return Integer.toUnsignedLong(b.getInt(off));
  }

  static int u16(ByteBuffer b, int off) {
    return Short.toUnsignedInt(b.getShort(off));
  }

  private static String cString(ByteBuffer b, int off, int len) {
    byte[] bytes = new byte[len];
    b.get(off, bytes);
    int n = 0;
    while (n < len && bytes[n] != 0) {
      n++;
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }
}
