// fs/ext2/ext2.h: struct ext2_super_block
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The ext2 superblock (1024 bytes at byte 1024 of the device). The constructor parses it and checks
 * only what it needs to go on (magic, revision, block size); the mount checks the geometry with
 * {@link #geometryProblem()} before any other number in it is used. Revisions 0 (fixed 128-byte
 * inodes, first inode 11) and 1.
 */
public final class Ext2Superblock {
  public static final int OFFSET = 1024;
  public static final int SIZE = 1024;
  public static final int MAGIC = 0xEF53;
  public static final int GOOD_OLD_REV = 0;
  public static final int GOOD_OLD_INODE_SIZE = 128;
  public static final int GOOD_OLD_FIRST_INO = 11;

  public final long inodesCount;
  public final long blocksCount;
  public final long rBlocksCount;
  public long freeBlocksCount;
  public long freeInodesCount;
  public final long firstDataBlock;
  public final int logBlockSize;
  public final long blocksPerGroup;
  public final long inodesPerGroup;
  public long mtime;
  public long wtime;
  public final int mntCount;
  public final int magic;
  public int state;
  public final int errors;
  public final int revLevel;
  public final long lastCheck;
  public final long firstIno;
  public final int inodeSize;
  public int featureCompat;
  public final int featureIncompat;
  public int featureRoCompat;
  public final byte[] uuid = new byte[16];
  public final String volumeName;
  public final String lastMounted;

  public final int blockSize;
  public final long groupsCount;

  /** s_reserved_gdt_blocks: descriptor blocks kept free for growing, after each descriptor copy. */
  public final int reservedGdtBlocks;

  /** s_desc_size: bytes per group descriptor, 32 unless 64bit (then 64 or more). */
  public final int descSize;

  /** s_first_meta_bg: with meta_bg, the first descriptor block placed in its own meta group. */
  public final long firstMetaBg;

  /** s_backup_bgs: the only groups with a superblock backup under sparse_super2 (0: none). */
  public final long[] backupBgs = new long[2];

  /** The largest file size, in bytes: {@link #ext2MaxSize(int)}. */
  public final long maxBytes;

  /** The superblock as read, so that fields this driver does not know survive writes. */
  public final byte[] raw = new byte[SIZE];

  /** Parses and checks; {@code deviceBytes} is the device's size. */
  public Ext2Superblock(ByteBuffer raw, long deviceBytes) throws CorruptFilesystemException {
    ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.get(0, this.raw);
    // 64bit: the block counts' upper halves (s_blocks_count_hi and the others at 0x150).
    boolean wide = b.getInt(76) >= 1 && (b.getInt(96) & Ext2Features.INCOMPAT_64BIT) != 0;
    inodesCount = u32(b, 0);
    blocksCount = u32(b, 4) | (wide ? u32(b, 0x150) << 32 : 0);
    rBlocksCount = u32(b, 8) | (wide ? u32(b, 0x154) << 32 : 0);
    freeBlocksCount = u32(b, 12) | (wide ? u32(b, 0x158) << 32 : 0);
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
    // The geometry is checked by geometryProblem(), once the mount knows it can read this
    // filesystem at all; only the group count is needed before, so keep it defined.
    groupsCount =
        blocksPerGroup == 0
            ? 0
            : (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
    reservedGdtBlocks = revLevel == GOOD_OLD_REV ? 0 : u16(b, 206);
    descSize = hasIncompat(Ext2Features.INCOMPAT_64BIT) ? u16(b, 0xFE) : GroupDesc.SIZE;
    firstMetaBg = u32(b, 0x104);
    backupBgs[0] = u32(b, 588);
    backupBgs[1] = u32(b, 592);
    maxBytes = ext2MaxSize(blockBits());
    if (blocksCount < 0 || rBlocksCount < 0 || freeBlocksCount < 0) {
      throw new CorruptFilesystemException("impossible 64-bit block counts", -1, 1);
    }
    if (deviceBytes >= 0 && blocksCount > deviceBytes / blockSize) {
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

  /** The fields that fix a filesystem's layout; a backup superblock should repeat them all. */
  public enum Field {
    INODES_COUNT("inodes count"),
    BLOCKS_COUNT("blocks count"),
    FIRST_DATA_BLOCK("first data block"),
    BLOCK_SIZE("block size"),
    BLOCKS_PER_GROUP("blocks per group"),
    INODES_PER_GROUP("inodes per group"),
    INODE_SIZE("inode size"),
    FIRST_INO("first inode"),
    R_BLOCKS_COUNT("reserved blocks count"),
    RESERVED_GDT_BLOCKS("reserved GDT blocks"),
    DESC_SIZE("group descriptor size");

    public final String label;

    Field(String label) {
      this.label = label;
    }

    public long of(Ext2Superblock sb) {
      return switch (this) {
        case INODES_COUNT -> sb.inodesCount;
        case BLOCKS_COUNT -> sb.blocksCount;
        case FIRST_DATA_BLOCK -> sb.firstDataBlock;
        case BLOCK_SIZE -> sb.blockSize;
        case BLOCKS_PER_GROUP -> sb.blocksPerGroup;
        case INODES_PER_GROUP -> sb.inodesPerGroup;
        case INODE_SIZE -> sb.inodeSize;
        case FIRST_INO -> sb.firstIno;
        case R_BLOCKS_COUNT -> sb.rBlocksCount;
        case RESERVED_GDT_BLOCKS -> sb.reservedGdt();
        case DESC_SIZE -> sb.descSize;
      };
    }
  }

  /**
   * What contradicts the rest of the superblock, and the field a repair would most likely change.
   */
  public record Problem(String text, Field field) {}

  /**
   * The first way in which the superblock's geometry contradicts itself, or null. The rules are
   * those of ext2_fill_super() (fs/ext2/super.c) and ext4_fill_super(), tightened to what e2fsck's
   * check_super_block() and ext2fs_open2() refuse, so that anything e2fsck would not open as it is
   * is not mounted either. Every image mke2fs makes passes: its inode table is always whole blocks
   * (it rounds the inodes per group up to fill the last table block, then down to a multiple of 8,
   * and inodes per block is a power of two).
   */
  public Problem geometryProblem() {
    if (inodesCount == 0) {
      return new Problem("zero inodes count", Field.INODES_COUNT);
    }
    if (blocksCount == 0) {
      return new Problem("zero blocks count", Field.BLOCKS_COUNT);
    }
    long wantFirst = blockSize == 1024 ? 1 : 0;
    if (firstDataBlock != wantFirst) {
      return new Problem(
          String.format(
              "first data block %d, should be %d with %d-byte blocks",
              firstDataBlock, wantFirst, blockSize),
          Field.FIRST_DATA_BLOCK);
    }
    // A group's free block count is 16 bits, and its block bitmap is one block.
    long maxBpg = Math.min(8L * blockSize, 65536 - 8);
    if (blocksPerGroup < 8 || blocksPerGroup > maxBpg) {
      return new Problem(
          String.format("bad blocks per group %d (not within 8..%d)", blocksPerGroup, maxBpg),
          Field.BLOCKS_PER_GROUP);
    }
    if (inodeSize < GOOD_OLD_INODE_SIZE
        || Integer.bitCount(inodeSize) != 1
        || inodeSize > blockSize) {
      return new Problem(
          String.format(
              "bad inode size %d (not a power of two within 128..%d)", inodeSize, blockSize),
          Field.INODE_SIZE);
    }
    long perBlock = blockSize / inodeSize;
    // One bitmap block, a 16-bit free count, and room for the table beside 4 other blocks.
    long maxIpg =
        Math.min(8L * blockSize, Math.min(65536 - perBlock, perBlock * (blocksPerGroup - 4)));
    if (inodesPerGroup < perBlock || inodesPerGroup > maxIpg) {
      return new Problem(
          String.format(
              "bad inodes per group %d (not within %d..%d)", inodesPerGroup, perBlock, maxIpg),
          Field.INODES_PER_GROUP);
    }
    if (groupsCount * inodesPerGroup != inodesCount) {
      return new Problem(
          String.format(
              "inodes per group %d does not fit %d groups and %d inodes",
              inodesPerGroup, groupsCount, inodesCount),
          Field.INODES_PER_GROUP);
    }
    if (inodesPerGroup % perBlock != 0) {
      return new Problem(
          String.format(
              "inodes per group %d does not fill whole inode table blocks (%d inodes of %d bytes"
                  + " per block)",
              inodesPerGroup, perBlock, inodeSize),
          Field.INODES_PER_GROUP);
    }
    if (revLevel != GOOD_OLD_REV && (firstIno < GOOD_OLD_FIRST_INO || firstIno > inodesCount)) {
      return new Problem(
          String.format("bad first inode %d (not within 11..%d)", firstIno, inodesCount),
          Field.FIRST_INO);
    }
    if (rBlocksCount > blocksCount / 2) {
      return new Problem(
          String.format(
              "reserved blocks count %d is more than half of the %d blocks",
              rBlocksCount, blocksCount),
          Field.R_BLOCKS_COUNT);
    }
    if (descSize < GroupDesc.SIZE
        || Integer.bitCount(descSize) != 1
        || descSize > blockSize
        || (hasIncompat(Ext2Features.INCOMPAT_64BIT) && descSize < GroupDesc.SIZE_64BIT)) {
      return new Problem(String.format("bad group descriptor size %d", descSize), Field.DESC_SIZE);
    }
    if (reservedGdt() > blockSize / 4) {
      return new Problem(
          String.format(
              "reserved GDT blocks %d are more than one block can address (%d)",
              reservedGdt(), blockSize / 4),
          Field.RESERVED_GDT_BLOCKS);
    }
    return null;
  }

  /**
   * Free counts above the totals, or null. Reads never use them, but allocation starts from them
   * and writes them back, so only a read-write mount needs them right; e2fsck recounts them.
   */
  public String summaryProblem() {
    if (freeBlocksCount > blocksCount) {
      return String.format(
          "free blocks count %d exceeds the %d blocks", freeBlocksCount, blocksCount);
    }
    if (freeInodesCount > inodesCount) {
      return String.format(
          "free inodes count %d exceeds the %d inodes", freeInodesCount, inodesCount);
    }
    return null;
  }

  /**
   * Port of ext2_max_size(), fs/ext2/super.c: the largest file size for {@code 2^bits}-byte blocks.
   * Two limits meet. The block map reaches 12 direct blocks plus a single, a double and a triple
   * indirect tree. And i_blocks, which counts the file's data and indirect blocks alike, is a
   * 32-bit number of 512-byte sectors: once it binds, the file may have as many data blocks as fit
   * in it after the indirect blocks that map them. Like the kernel, that indirect count is taken
   * for the whole budget, a few blocks more than strictly needed, so the result errs on the safe
   * side.
   */
  public static long ext2MaxSize(int bits) {
    final long direct = 12;
    long perBlock = 1L << (bits - 2); // block numbers in one indirect block
    long perBlock2 = perBlock * perBlock;
    long mapped = direct + perBlock + perBlock2 + perBlock2 * perBlock;
    long fullTreeIndirect = 1 + (1 + perBlock) + (1 + perBlock + perBlock2);
    long budget = 0xFFFF_FFFFL >>> (bits - 9); // i_blocks' limit in filesystem blocks
    long dataBlocks;
    if (mapped + fullTreeIndirect <= budget) {
      dataBlocks = mapped; // 1 KiB blocks: the block map is the limit
    } else {
      long beyondSingle = budget - direct - perBlock;
      long indirect = 1; // the single indirect block
      if (beyondSingle < perBlock2) {
        indirect += 1 + ceilDiv(beyondSingle, perBlock);
      } else {
        long beyondDouble = beyondSingle - perBlock2;
        indirect += 1 + perBlock;
        indirect += 1 + ceilDiv(beyondDouble, perBlock) + ceilDiv(beyondDouble, perBlock2);
      }
      dataBlocks = budget - indirect;
    }
    return dataBlocks << bits;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** Serializes the changing fields over the raw copy and writes it at {@code offset}. */
  public void writeTo(ByteBuffer block, int offset) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(12, (int) freeBlocksCount);
    b.putInt(16, (int) freeInodesCount);
    b.putInt(44, (int) mtime);
    b.putInt(48, (int) wtime);
    b.putShort(58, (short) state);
    if (revLevel > 0) {
      b.putInt(92, featureCompat);
      b.putInt(100, featureRoCompat);
    }
    block.duplicate().put(offset, raw);
  }

  /**
   * Block groups that hold a superblock and descriptor copy: every group, or with sparse_super 0, 1
   * and the powers of 3, 5 and 7, or with sparse_super2 0 and the two groups the superblock names.
   * Port of ext2_bg_has_super(), fs/ext2/balloc.c, with sparse_super2 as ext4_bg_has_super() has
   * it.
   */
  public boolean groupHasSuper(long group) {
    if (group == 0) {
      return true;
    }
    if (hasCompat(Ext2Features.COMPAT_SPARSE_SUPER2)) {
      return group == backupBgs[0] || group == backupBgs[1];
    }
    if (!hasRoCompat(Ext2Features.RO_COMPAT_SPARSE_SUPER) || group <= 1) {
      return true;
    }
    return isPower(group, 3) || isPower(group, 5) || isPower(group, 7);
  }

  /** Blocks of one copy of the group descriptor table. */
  public long gdtBlocks() {
    return (groupsCount * descSize + blockSize - 1) / blockSize;
  }

  /** Group descriptors per descriptor block. */
  public int descPerBlock() {
    return blockSize / descSize;
  }

  /** Whether the group descriptors' flags and unused-inode counts are kept (uninit_bg or csums). */
  public boolean hasGroupDescCsum() {
    return hasRoCompat(Ext2Features.RO_COMPAT_GDT_CSUM)
        || hasRoCompat(Ext2Features.RO_COMPAT_METADATA_CSUM);
  }

  /** Reserved GDT blocks after each descriptor copy: only resize_inode keeps them. */
  public long reservedGdt() {
    return hasCompat(Ext2Features.COMPAT_RESIZE_INODE) ? reservedGdtBlocks : 0;
  }

  /** Blocks of one group's inode table; whole blocks once {@link #geometryProblem()} passed. */
  public long inodeTableBlocks() {
    return (inodesPerGroup * inodeSize + blockSize - 1) / blockSize;
  }

  private static boolean isPower(long n, int base) {
    long p = base;
    while (p < n) {
      p *= base;
    }
    return p == n;
  }

  public int blockBits() {
    return 10 + logBlockSize;
  }

  public long groupOfBlockCount(long group) {
    long start = firstDataBlock + group * blocksPerGroup;
    return Math.min(blocksPerGroup, blocksCount - start);
  }

  public boolean hasIncompat(int f) {
    return (featureIncompat & f) != 0;
  }

  public boolean hasRoCompat(int f) {
    return (featureRoCompat & f) != 0;
  }

  public boolean hasCompat(int f) {
    return (featureCompat & f) != 0;
  }

  public String uuidString() {
    ByteBuffer u = ByteBuffer.wrap(uuid);
    return new UUID(u.getLong(0), u.getLong(8)).toString();
  }

  public String stateString() {
    String s = (state & 1) != 0 ? "clean" : "not clean";
    if ((state & 2) != 0) {
      s += " with errors";
    }
    return s;
  }

  public static long u32(ByteBuffer b, int off) {
    return Integer.toUnsignedLong(b.getInt(off));
  }

  public static int u16(ByteBuffer b, int off) {
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
