// fs/ext2/ext2.h: the EXT2_FEATURE_* bits and what this driver supports
package org.mpage.fs.ext2.disk;

import java.util.ArrayList;
import java.util.List;

/**
 * Feature flags of the superblock and the kernel's policy for them: an unknown INCOMPAT feature
 * refuses the mount, an unknown RO_COMPAT feature allows it read-only, COMPAT features never
 * matter. This driver writes what ext2 has, and reads ext4's layout features read-only. Names are
 * e2fsprogs' spellings, so that messages match {@code dumpe2fs}.
 */
public final class Ext2Features {
  public static final int COMPAT_DIR_PREALLOC = 0x1;
  public static final int COMPAT_IMAGIC_INODES = 0x2;
  public static final int COMPAT_HAS_JOURNAL = 0x4;
  public static final int COMPAT_EXT_ATTR = 0x8;
  public static final int COMPAT_RESIZE_INODE = 0x10;
  public static final int COMPAT_DIR_INDEX = 0x20;
  public static final int COMPAT_SPARSE_SUPER2 = 0x200;

  public static final int RO_COMPAT_SPARSE_SUPER = 0x1;
  public static final int RO_COMPAT_LARGE_FILE = 0x2;
  public static final int RO_COMPAT_BTREE_DIR = 0x4;
  public static final int RO_COMPAT_HUGE_FILE = 0x8;
  public static final int RO_COMPAT_GDT_CSUM = 0x10;
  public static final int RO_COMPAT_DIR_NLINK = 0x20;
  public static final int RO_COMPAT_EXTRA_ISIZE = 0x40;
  public static final int RO_COMPAT_BIGALLOC = 0x200;
  public static final int RO_COMPAT_METADATA_CSUM = 0x400;

  public static final int INCOMPAT_COMPRESSION = 0x1;
  public static final int INCOMPAT_FILETYPE = 0x2;

  /** needs_recovery: the journal holds transactions not yet written home (see Ext2Journal). */
  public static final int INCOMPAT_RECOVER = 0x4;

  public static final int INCOMPAT_META_BG = 0x10;
  public static final int INCOMPAT_EXTENTS = 0x40;
  public static final int INCOMPAT_64BIT = 0x80;
  public static final int INCOMPAT_FLEX_BG = 0x200;
  public static final int INCOMPAT_CSUM_SEED = 0x2000;
  public static final int INCOMPAT_LARGEDIR = 0x4000;
  public static final int INCOMPAT_INLINE_DATA = 0x8000;

  /** What this driver writes: FILETYPE only (the ext4 features below are read-only). */
  public static final int INCOMPAT_SUPP = INCOMPAT_FILETYPE;

  /**
   * What a read-only mount accepts: ext4's layout (extents, 64-bit block numbers and descriptors,
   * flexible and meta block groups, inline data, 3-level directory indexes) and the checksum seed,
   * whose checksums a read-only mount need not compute. Not the journal's needs_recovery, nor the
   * features that change what a file's bytes are (encrypt, casefold names, compression) or where
   * they live (journal_dev, ea_inode, dirdata), nor mmp.
   */
  public static final int INCOMPAT_READ_SUPP =
      INCOMPAT_FILETYPE
          | INCOMPAT_META_BG
          | INCOMPAT_EXTENTS
          | INCOMPAT_64BIT
          | INCOMPAT_FLEX_BG
          | INCOMPAT_CSUM_SEED
          | INCOMPAT_LARGEDIR
          | INCOMPAT_INLINE_DATA;

  /**
   * Read-only compatible features this driver still cannot read: bigalloc counts the group's
   * bitmaps and extents in clusters, a layout the geometry checks here do not know.
   */
  public static final int RO_COMPAT_READ_UNSUPP = RO_COMPAT_BIGALLOC;

  public static final int RO_COMPAT_SUPP =
      RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;

  private static final String[] COMPAT = {
    "dir_prealloc",
    "imagic_inodes",
    "has_journal",
    "ext_attr",
    "resize_inode",
    "dir_index",
    "lazy_bg",
    "exclude_inode",
    "exclude_bitmap",
    "sparse_super2",
    "fast_commit",
    "stable_inodes",
    "orphan_file"
  };
  private static final String[] RO_COMPAT = {
    "sparse_super",
    "large_file",
    "btree_dir",
    "huge_file",
    "uninit_bg",
    "dir_nlink",
    "extra_isize",
    "has_snapshot",
    "quota",
    "bigalloc",
    "metadata_csum",
    "replica",
    "read-only",
    "project",
    "shared_blocks",
    "verity",
    "orphan_present"
  };
  private static final String[] INCOMPAT = {
    "compression",
    "filetype",
    "needs_recovery",
    "journal_dev",
    "meta_bg",
    "FEATURE_I5",
    "extent",
    "64bit",
    "mmp",
    "flex_bg",
    "ea_inode",
    "FEATURE_I11",
    "dirdata",
    "metadata_csum_seed",
    "large_dir",
    "inline_data",
    "encrypt",
    "casefold"
  };

  private Ext2Features() {}

  /**
   * What the features make of the filesystem, as blkid names it: "ext4" when an INCOMPAT or
   * RO_COMPAT feature is beyond what ext3 knew, else "ext3" with a journal, else "ext2".
   */
  public static String kind(int compat, int incompat, int roCompat) {
    int ext3Incompat = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;
    int ext3RoCompat = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR;
    if ((incompat & ~ext3Incompat) != 0 || (roCompat & ~ext3RoCompat) != 0) {
      return "ext4";
    }
    return (compat & COMPAT_HAS_JOURNAL) != 0 ? "ext3" : "ext2";
  }

  public static List<String> compatNames(int mask) {
    return names(mask, COMPAT, "FEATURE_C");
  }

  public static List<String> roCompatNames(int mask) {
    return names(mask, RO_COMPAT, "FEATURE_R");
  }

  public static List<String> incompatNames(int mask) {
    return names(mask, INCOMPAT, "FEATURE_I");
  }

  private static List<String> names(int mask, String[] table, String unknownPrefix) {
    List<String> out = new ArrayList<>();
    for (int bit = 0; bit < 32; bit++) {
      if ((mask & (1 << bit)) != 0) {
        out.add(bit < table.length ? table[bit] : unknownPrefix + bit);
      }
    }
    return out;
  }

  /** All feature names set, in dumpe2fs order (compat, incompat, ro_compat). */
  public static List<String> all(int compat, int incompat, int roCompat) {
    List<String> out = new ArrayList<>(compatNames(compat));
    out.addAll(incompatNames(incompat));
    out.addAll(roCompatNames(roCompat));
    return out;
  }
}
