// fs/ext4/super.c, inode.c, namei.c, extents.c: where ext4 verifies a metadata checksum on read
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.MountOptions;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.Ext4Csum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checksum verification of one mount: what the features ask for, the seed, and what a mismatch
 * does. With {@code metadata_csum} the superblock, group descriptors, inodes, directory blocks and
 * extent nodes carry a crc32c; with {@code gdt_csum} (uninit_bg) alone only the descriptors carry a
 * crc16. Without either feature every check returns at once.
 *
 * <p>A mismatch is a {@link CorruptFilesystemException} naming the structure and both values, as
 * the kernel fails the read with EFSBADCRC. The mount option {@code csum=ignore} logs it instead
 * and reads on (the default is {@code csum=verify}), for getting data off a damaged image.
 *
 * <p>Nothing here writes a checksum: this driver writes only ext2, and both features are RO_COMPAT,
 * so an image with them mounts read-only (a write would leave stale checksums).
 */
final class Ext2Checksums {
  private static final Logger LOG = LoggerFactory.getLogger(Ext2Checksums.class);

  /** The mount option: {@code csum=verify} (default) or {@code csum=ignore}. */
  static final String OPTION = "csum";

  /** s_state's error bit (EXT4_ERROR_FS): the kernel then skips inode checksums. */
  private static final int STATE_ERROR = 2;

  private final boolean metadataCsum;
  private final boolean gdtCsum;
  private final boolean ignore;
  private final boolean inodes;
  private final boolean storedSeed;
  private final int seed;
  private final byte[] uuid;
  private final int descSize;

  private Ext2Checksums(Ext2Superblock sb, boolean ignore) {
    this.metadataCsum = sb.hasRoCompat(Ext2Features.RO_COMPAT_METADATA_CSUM);
    this.gdtCsum = sb.hasRoCompat(Ext2Features.RO_COMPAT_GDT_CSUM);
    this.ignore = ignore;
    this.seed = metadataCsum ? Ext4Csum.fsSeed(sb.raw) : 0;
    this.storedSeed = sb.hasIncompat(Ext2Features.INCOMPAT_CSUM_SEED);
    this.uuid = sb.uuid.clone();
    this.descSize = Ext4Csum.descSize(sb.raw);
    // ext4_inode_csum_verify checks only inodes of a Linux-made filesystem (other systems use
    // the osd2 bytes differently), and ext4_iget not at all once errors were recorded on disk.
    int creatorOs = sb.raw[Ext4Csum.SB_CREATOR_OS] & 0xFF;
    this.inodes = metadataCsum && creatorOs == 0 && (sb.state & STATE_ERROR) == 0;
  }

  /** The verification the superblock's features and the {@code csum} option ask for. */
  static Ext2Checksums forMount(Ext2Superblock sb, MountOptions options) throws IOException {
    String mode = options.option(OPTION, "verify");
    if (!mode.equals("verify") && !mode.equals("ignore")) {
      throw new IOException("mount option " + OPTION + "=" + mode + ": takes verify or ignore");
    }
    return new Ext2Checksums(sb, mode.equals("ignore"));
  }

  /** Whether this filesystem has metadata_csum (crc32c everywhere). */
  boolean metadataCsum() {
    return metadataCsum;
  }

  /** For {@code info}: the algorithm and seed, as dumpe2fs names them; empty without checksums. */
  String describe() {
    String how;
    if (metadataCsum) {
      how =
          String.format(
              Locale.ROOT,
              "crc32c, seed 0x%08x%s",
              seed,
              storedSeed ? " (stored: metadata_csum_seed)" : "");
    } else if (gdtCsum) {
      how = "crc16, group descriptors only (gdt_csum)";
    } else {
      return "";
    }
    return how + (ignore ? ", not verified (csum=ignore)" : "");
  }

  private void verify(String what, Ext4Csum.Sum sum, long block) throws CorruptFilesystemException {
    if (sum.ok()) {
      return;
    }
    String message = what + ": checksum mismatch (" + sum + ")";
    if (ignore) {
      LOG.warn("{} (block {}); read on: csum=ignore", message, block);
      return;
    }
    throw new CorruptFilesystemException(message, -1, block);
  }

  /** A structure whose checksum cannot even be found (no tail, no room): as a mismatch. */
  private void unverifiable(String what, CorruptFilesystemException e, long block)
      throws CorruptFilesystemException {
    String message = what + ": " + e.problem();
    if (ignore) {
      LOG.warn("{} (block {}); read on: csum=ignore", message, block);
      return;
    }
    throw new CorruptFilesystemException(message, -1, block);
  }

  // ext4_load_super: ext4_verify_csum_type, then ext4_superblock_csum_verify
  /** The superblock, at mount, before anything else in it is trusted. */
  void checkSuper(Ext2Superblock sb) throws CorruptFilesystemException {
    if (!metadataCsum) {
      return;
    }
    long block = Ext2Superblock.OFFSET / sb.blockSize;
    int type = sb.raw[Ext4Csum.SB_CHECKSUM_TYPE] & 0xFF;
    if (type != Ext4Csum.CRC32C_CHKSUM) {
      unverifiable(
          "superblock",
          new CorruptFilesystemException("unknown checksum type " + type, -1, -1),
          block);
      return;
    }
    verify("superblock", Ext4Csum.superblock(sb.raw), block);
  }

  // ext4_group_desc_csum_verify, from ext4_check_descriptors
  /** Group descriptor {@code g}, at {@code off} of the descriptor table block {@code block}. */
  void checkGroupDesc(long g, ByteBuffer table, int off, long block)
      throws CorruptFilesystemException {
    if (metadataCsum) {
      verify(
          "group descriptor " + g, Ext4Csum.groupDescCrc32c(seed, g, table, off, descSize), block);
    } else if (gdtCsum) {
      verify(
          "group descriptor " + g, Ext4Csum.groupDescCrc16(uuid, g, table, off, descSize), block);
    }
  }

  // ext4_iget: ext4_inode_csum_verify
  /** Inode {@code ino}, at {@code off} of its inode table block {@code block}. */
  void checkInode(long ino, ByteBuffer table, int off, int inodeSize, long block)
      throws CorruptFilesystemException {
    if (!inodes) {
      return;
    }
    String what = "inode " + ino;
    Ext4Csum.Sum sum;
    try {
      sum = Ext4Csum.inode(seed, ino, table, off, inodeSize);
    } catch (CorruptFilesystemException e) {
      unverifiable(what, e, block);
      return;
    }
    verify(what, sum, block);
  }

  /** The inode's own seed (ei->i_csum_seed), for the checksums of its blocks. */
  int inodeSeed(Ext2Inode inode) {
    return Ext4Csum.inodeSeed(seed, inode.ino, (int) inode.generation);
  }

  // __ext4_read_dirblock: ext4_dx_csum_verify for an htree node, else ext4_dirblock_csum_verify
  /** Block {@code logical} of directory {@code dir}, read from disk block {@code phys}. */
  void checkDirBlock(Ext2Inode dir, long logical, long phys, ByteBuffer block)
      throws CorruptFilesystemException {
    if (!metadataCsum) {
      return;
    }
    boolean indexed = (dir.flags & Ext2Inode.INDEX_FL) != 0;
    boolean dx = Ext4Csum.isDxBlock(block, logical, indexed);
    String what =
        "directory inode " + dir.ino + ", " + (dx ? "htree node" : "block") + " " + logical;
    Ext4Csum.Sum sum;
    try {
      sum = dx ? Ext4Csum.dxNode(inodeSeed(dir), block) : Ext4Csum.dirLeaf(inodeSeed(dir), block);
    } catch (CorruptFilesystemException e) {
      unverifiable(what, e, phys);
      return;
    }
    verify(what, sum, phys);
  }

  // ext4_extent_block_csum_verify, from __read_extent_tree_block
  /** An extent tree node of {@code inode}, read from disk block {@code phys}. */
  void checkExtentBlock(Ext2Inode inode, long phys, ByteBuffer block)
      throws CorruptFilesystemException {
    if (!metadataCsum) {
      return;
    }
    String what = "inode " + inode.ino + ", extent block";
    Ext4Csum.Sum sum;
    try {
      sum = Ext4Csum.extentBlock(inodeSeed(inode), block);
    } catch (CorruptFilesystemException e) {
      unverifiable(what, e, phys);
      return;
    }
    verify(what, sum, phys);
  }

  // ext4_xattr_block_csum_verify, from ext4_xattr_block_get and ext4_xattr_block_list
  /** The extended attribute block {@code phys} of inode {@code ino}. */
  void checkXattrBlock(long ino, long phys, ByteBuffer block) throws CorruptFilesystemException {
    if (!metadataCsum) {
      return;
    }
    verify(
        "inode " + ino + ", extended attribute block",
        Ext4Csum.xattrBlock(seed, phys, block),
        phys);
  }
}
