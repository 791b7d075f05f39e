// fs/ext4: the metadata checksums of super.c, inode.c, namei.c, extents.c and bitmap.c (read side)
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The checksum of each ext4 metadata structure, computed as the kernel verifies it, next to the
 * value stored in it. Pure functions of the bytes: the mount decides when to call them and what a
 * mismatch means ({@code Ext2Checksums}). Blocks are given as buffers whose position is the start
 * of the block and whose remaining bytes are the block.
 *
 * <p>Every checksum but the superblock's starts from the filesystem's seed ({@link #fsSeed}), and
 * those of an inode's own blocks (extent nodes, directory blocks) from the inode's seed ({@link
 * #inodeSeed}), so a block copied to another inode or another filesystem does not verify. A
 * checksum field inside the summed range counts as zero.
 */
public final class Ext4Csum {
  // superblock fields (struct ext4_super_block)
  public static final int SB_DESC_SIZE = 0xFE;
  public static final int SB_CREATOR_OS = 0x48;
  public static final int SB_CHECKSUM_TYPE = 0x175;
  public static final int SB_CHECKSUM_SEED = 0x270;
  public static final int SB_CHECKSUM = 0x3FC;

  /** s_checksum_type: the only algorithm ext4 defines. */
  public static final int CRC32C_CHKSUM = 1;

  // group descriptor fields (struct ext4_group_desc)
  public static final int BG_FLAGS = 0x12;
  public static final int BG_BLOCK_BITMAP_CSUM_LO = 0x18;
  public static final int BG_INODE_BITMAP_CSUM_LO = 0x1A;
  public static final int BG_CHECKSUM = 0x1E;
  public static final int BG_BLOCK_BITMAP_CSUM_HI = 0x38;
  public static final int BG_INODE_BITMAP_CSUM_HI = 0x3A;
  public static final int BG_INODE_UNINIT = 0x1;
  public static final int BG_BLOCK_UNINIT = 0x2;

  /** The descriptor size without the 64bit feature, and the least s_desc_size allows with it. */
  public static final int DESC_SIZE = 32;

  // inode fields (struct ext4_inode)
  public static final int GOOD_OLD_INODE_SIZE = 128;
  public static final int I_GENERATION = 0x64;
  public static final int I_CHECKSUM_LO = 0x7C;
  public static final int I_EXTRA_ISIZE = 0x80;
  public static final int I_CHECKSUM_HI = 0x82;

  /** struct ext4_dir_entry_tail: 12 bytes at the end of a leaf, file type 0xDE. */
  public static final int DIRENT_TAIL_SIZE = 12;

  public static final int FT_DIR_CSUM = 0xDE;

  /** struct dx_tail: a reserved word and the checksum, after the limit of dx entries. */
  public static final int DX_TAIL_SIZE = 8;

  /** The header of an extent tree node; the tail follows eh_max 12-byte entries. */
  public static final int EXTENT_HEADER_SIZE = 12;

  /** A stored checksum and the one computed, of {@code bits} bits. */
  public record Sum(int stored, int computed, int bits) {
    public boolean ok() {
      return stored == computed;
    }

    @Override
    public String toString() {
      String hex = "0x%0" + bits / 4 + "x";
      return String.format(Locale.ROOT, "stored " + hex + ", computed " + hex, stored, computed);
    }
  }

  private Ext4Csum() {}

  private static ByteBuffer le(ByteBuffer b) {
    return b.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  private static int u16(ByteBuffer b, int off) {
    return Short.toUnsignedInt(b.getShort(off));
  }

  private static int u8(ByteBuffer b, int off) {
    return Byte.toUnsignedInt(b.get(off));
  }

  // ---- superblock (fs/ext4/super.c) ----

  /**
   * s_csum_seed (ext4_fill_super): the stored s_checksum_seed with metadata_csum_seed, which keeps
   * the checksums valid when the UUID changes; else the crc32c of the UUID.
   */
  public static int fsSeed(byte[] sb) {
    ByteBuffer b = le(ByteBuffer.wrap(sb));
    if ((b.getInt(96) & Ext2Features.INCOMPAT_CSUM_SEED) != 0) {
      return b.getInt(SB_CHECKSUM_SEED);
    }
    return Ext4Chksum.of(~0, b, 104, 16);
  }

  /** ext4_superblock_csum: all of the superblock before s_checksum, from ~0 (no fs seed). */
  public static Sum superblock(byte[] sb) {
    ByteBuffer b = le(ByteBuffer.wrap(sb));
    return new Sum(b.getInt(SB_CHECKSUM), Ext4Chksum.of(~0, b, 0, SB_CHECKSUM), 32);
  }

  /** EXT4_DESC_SIZE: s_desc_size with the 64bit feature, else 32 bytes. */
  public static int descSize(byte[] sb) {
    ByteBuffer b = le(ByteBuffer.wrap(sb));
    return (b.getInt(96) & Ext2Features.INCOMPAT_64BIT) != 0 ? u16(b, SB_DESC_SIZE) : DESC_SIZE;
  }

  // ---- group descriptors (fs/ext4/super.c: ext4_group_desc_csum) ----

  /**
   * metadata_csum: the low 16 bits of the crc32c of the group number and the descriptor ({@code
   * descSize} bytes at {@code off}), with bg_checksum as zero.
   */
  public static Sum groupDescCrc32c(int fsSeed, long group, ByteBuffer table, int off, int size) {
    ByteBuffer b = le(table);
    Ext4Chksum c =
        Ext4Chksum.from(fsSeed).updateLe32((int) group).update(b, off, BG_CHECKSUM).zeros(2);
    if (BG_CHECKSUM + 2 < size) {
      c.update(b, off + BG_CHECKSUM + 2, size - BG_CHECKSUM - 2);
    }
    return new Sum(u16(b, off + BG_CHECKSUM), c.value() & 0xFFFF, 16);
  }

  /**
   * gdt_csum (uninit_bg) without metadata_csum: crc16 from ~0 over the UUID, the group number and
   * the descriptor, skipping bg_checksum rather than counting it as zero.
   */
  public static Sum groupDescCrc16(byte[] uuid, long group, ByteBuffer table, int off, int size) {
    ByteBuffer b = le(table);
    int r = Crc16.update(0xFFFF, uuid);
    ByteBuffer g = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) group);
    r = Crc16.update(r, g, 0, 4);
    r = Crc16.update(r, b, off, BG_CHECKSUM);
    if (BG_CHECKSUM + 2 < size) {
      r = Crc16.update(r, b, off + BG_CHECKSUM + 2, size - BG_CHECKSUM - 2);
    }
    return new Sum(u16(b, off + BG_CHECKSUM), r, 16);
  }

  // ---- inodes (fs/ext4/inode.c: ext4_inode_csum, ext4_inode_csum_verify) ----

  /** ei->i_csum_seed (ext4_iget): the fs seed chained with the inode number and generation. */
  public static int inodeSeed(int fsSeed, long ino, int generation) {
    return Ext4Chksum.from(fsSeed).updateLe32((int) ino).updateLe32(generation).value();
  }

  /**
   * The inode at {@code off} of an inode table block: the whole {@code inodeSize} bytes with the
   * checksum fields as zero. The high half is used only when i_extra_isize covers it; a 128-byte
   * inode (or a short extra part) keeps 16 bits.
   */
  public static Sum inode(int fsSeed, long ino, ByteBuffer table, int off, int inodeSize)
      throws CorruptFilesystemException {
    ByteBuffer b = le(table);
    boolean large = inodeSize > GOOD_OLD_INODE_SIZE;
    int extra = large ? u16(b, off + I_EXTRA_ISIZE) : 0;
    if (large && (GOOD_OLD_INODE_SIZE + extra > inodeSize || (extra & 3) != 0)) {
      throw new CorruptFilesystemException(
          "bad i_extra_isize " + extra + " (inode size " + inodeSize + ")", -1, -1);
    }
    boolean hasHi = extra >= I_CHECKSUM_HI + 2 - GOOD_OLD_INODE_SIZE;
    int seed = inodeSeed(fsSeed, ino, b.getInt(off + I_GENERATION));
    Ext4Chksum c = Ext4Chksum.from(seed).update(b, off, I_CHECKSUM_LO).zeros(2);
    c.update(b, off + I_CHECKSUM_LO + 2, GOOD_OLD_INODE_SIZE - I_CHECKSUM_LO - 2);
    if (large) {
      c.update(b, off + GOOD_OLD_INODE_SIZE, I_CHECKSUM_HI - GOOD_OLD_INODE_SIZE);
      int rest = I_CHECKSUM_HI;
      if (hasHi) {
        c.zeros(2);
        rest += 2;
      }
      c.update(b, off + rest, inodeSize - rest);
    }
    int stored = u16(b, off + I_CHECKSUM_LO);
    int computed = c.value();
    if (hasHi) {
      return new Sum(stored | u16(b, off + I_CHECKSUM_HI) << 16, computed, 32);
    }
    return new Sum(stored, computed & 0xFFFF, 16);
  }

  // ---- extent tree nodes (fs/ext4/extents.c: ext4_extent_block_csum) ----

  /**
   * An extent tree block: the crc32c of the header and all eh_max entry slots, stored in the four
   * bytes right after them. {@code inodeSeed} is the owner's {@link #inodeSeed}.
   */
  public static Sum extentBlock(int inodeSeed, ByteBuffer block) throws CorruptFilesystemException {
    ByteBuffer b = le(block);
    int max = u16(b, 4);
    int tail = EXTENT_HEADER_SIZE + 12 * max;
    if (tail + 4 > b.remaining()) {
      throw new CorruptFilesystemException(
          "extent block: no room for the checksum after " + max + " entries", -1, -1);
    }
    return new Sum(b.getInt(tail), Ext4Chksum.of(inodeSeed, b, 0, tail), 32);
  }

  // ---- extended attribute blocks (fs/ext4/xattr.c) ----

  /** h_checksum's place in struct ext4_xattr_header. */
  public static final int XATTR_CHECKSUM = 16;

  // ext4_xattr_block_csum
  /**
   * An extended attribute block: crc32c of the filesystem seed, the block number as a little-endian
   * 64-bit word, then the block with h_checksum read as zeros.
   */
  public static Sum xattrBlock(int fsSeed, long blockNr, ByteBuffer block) {
    ByteBuffer b = le(block);
    long n = blockNr;
    Ext4Chksum c = Ext4Chksum.from(fsSeed).updateLe32((int) n).updateLe32((int) (n >>> 32));
    c.update(b, 0, XATTR_CHECKSUM).zeros(4);
    c.update(b, XATTR_CHECKSUM + 4, b.remaining() - XATTR_CHECKSUM - 4);
    return new Sum(b.getInt(XATTR_CHECKSUM), c.value(), 32);
  }

  // ---- directories (fs/ext4/namei.c) ----

  /**
   * Whether {@code block}, the directory's block {@code logical}, is an htree node as
   * __ext4_read_dirblock decides: in an indexed directory, block 0 (the root) and any block whose
   * first record spans the whole block (an interior node's empty entry).
   */
  public static boolean isDxBlock(ByteBuffer block, long logical, boolean indexed) {
    if (!indexed) {
      return false;
    }
    ByteBuffer b = le(block);
    return logical == 0 || u16(b, 4) == b.remaining();
  }

  /**
   * ext4_dirblock_csum_verify: a leaf ends with a fake entry (inode 0, rec_len 12, name_len 0, type
   * 0xDE) holding the crc32c of everything before it. A block without that tail fails.
   */
  public static Sum dirLeaf(int inodeSeed, ByteBuffer block) throws CorruptFilesystemException {
    ByteBuffer b = le(block);
    int t = b.remaining() - DIRENT_TAIL_SIZE;
    if (t < 0
        || b.getInt(t) != 0
        || u16(b, t + 4) != DIRENT_TAIL_SIZE
        || u8(b, t + 6) != 0
        || u8(b, t + 7) != FT_DIR_CSUM) {
      throw new CorruptFilesystemException("no checksum tail", -1, -1);
    }
    return new Sum(b.getInt(t + 8), Ext4Chksum.of(inodeSeed, b, 0, t), 32);
  }

  /**
   * ext4_dx_csum_verify: an htree root (count/limit at 32, after "." and ".." and dx_root_info) or
   * interior node (at 8, after the empty entry). The crc32c covers the used dx entries (count) and
   * the dx_tail's reserved word with its checksum as zero; the tail sits after the limit entries.
   */
  public static Sum dxNode(int inodeSeed, ByteBuffer block) throws CorruptFilesystemException {
    ByteBuffer b = le(block);
    int bs = b.remaining();
    int recLen = u16(b, 4);
    int countOffset;
    if (recLen == bs) {
      countOffset = 8;
    } else if (recLen == 12
        && u16(b, 12 + 4) == bs - 12
        && b.getInt(24) == 0
        && u8(b, 24 + 5) == 8) {
      countOffset = 32;
    } else {
      throw new CorruptFilesystemException("htree node without count and limit", -1, -1);
    }
    int limit = u16(b, countOffset);
    int count = u16(b, countOffset + 2);
    int tail = countOffset + 8 * limit;
    if (tail > bs - DX_TAIL_SIZE) {
      throw new CorruptFilesystemException(
          "htree node: no room for the checksum after " + limit + " entries", -1, -1);
    }
    if (count > limit) {
      throw new CorruptFilesystemException(
          "htree node: count " + count + " above limit " + limit, -1, -1);
    }
    int computed =
        Ext4Chksum.from(inodeSeed)
            .update(b, 0, countOffset + 8 * count)
            .update(b, tail, 4)
            .zeros(4)
            .value();
    return new Sum(b.getInt(tail + 4), computed, 32);
  }

  // ---- bitmaps (fs/ext4/bitmap.c) ----

  /**
   * ext4_block_bitmap_csum_verify: the crc32c of the first clusters-per-group bits, stored in the
   * group's descriptor (16 bits, 32 when the descriptor is long enough for the high half).
   */
  public static Sum blockBitmap(
      int fsSeed, ByteBuffer bitmap, long clustersPerGroup, ByteBuffer table, int off, int size) {
    return bitmap(
        fsSeed,
        bitmap,
        clustersPerGroup,
        le(table),
        off + BG_BLOCK_BITMAP_CSUM_LO,
        size >= BG_BLOCK_BITMAP_CSUM_HI + 2 ? off + BG_BLOCK_BITMAP_CSUM_HI : -1);
  }

  /** ext4_inode_bitmap_csum_verify: as {@link #blockBitmap} over inodes-per-group bits. */
  public static Sum inodeBitmap(
      int fsSeed, ByteBuffer bitmap, long inodesPerGroup, ByteBuffer table, int off, int size) {
    return bitmap(
        fsSeed,
        bitmap,
        inodesPerGroup,
        le(table),
        off + BG_INODE_BITMAP_CSUM_LO,
        size >= BG_INODE_BITMAP_CSUM_HI + 2 ? off + BG_INODE_BITMAP_CSUM_HI : -1);
  }

  private static Sum bitmap(
      int fsSeed, ByteBuffer bitmap, long bits, ByteBuffer d, int lo, int hi) {
    ByteBuffer b = le(bitmap);
    int computed = Ext4Chksum.of(fsSeed, b, 0, (int) Math.min(bits / 8, b.remaining()));
    if (hi >= 0) {
      return new Sum(u16(d, lo) | u16(d, hi) << 16, computed, 32);
    }
    return new Sum(u16(d, lo), computed & 0xFFFF, 16);
  }
}
