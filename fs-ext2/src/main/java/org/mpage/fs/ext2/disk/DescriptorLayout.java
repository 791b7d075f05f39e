// fs/ext4/super.c: descriptor_loc; fs/ext4/balloc.c: ext4_bg_num_gdb_meta (meta_bg placement)
package org.mpage.fs.ext2.disk;

/**
 * Where the group descriptor table lives. Without meta_bg it follows the superblock, and every
 * superblock backup is followed by a copy of it. With meta_bg (read-only here) the table is cut
 * into its blocks: each describes one meta group (as many groups as one block holds descriptors of)
 * and lives in that meta group's first group, with copies in its second and last.
 */
public final class DescriptorLayout {
  private DescriptorLayout() {}

  /**
   * The block holding descriptor block {@code nr}: the kernel's descriptor_loc(), fs/ext4/super.c.
   * Without meta_bg the table follows the superblock. With it, the table's blocks from
   * s_first_meta_bg on are spread out: the descriptors of one meta group (the groups one block
   * describes) live in a block at the start of the meta group's first group, after its superblock
   * backup if it has one.
   */
  public static long descriptorBlock(Ext2Superblock sb, long nr) {
    if (!sb.hasIncompat(Ext2Features.INCOMPAT_META_BG) || nr < sb.firstMetaBg) {
      return sb.firstDataBlock + 1 + nr;
    }
    long group = nr * sb.descPerBlock();
    long hasSuper = sb.groupHasSuper(group) ? 1 : 0;
    if (sb.blockSize == 1024 && nr == 0 && sb.firstDataBlock == 0) {
      hasSuper++;
    }
    return sb.firstDataBlock + group * sb.blocksPerGroup + hasSuper;
  }

  /**
   * Blocks of the descriptor table copied after each superblock backup: the whole table, or with
   * meta_bg only its blocks before s_first_meta_bg.
   */
  public static long gdtCopyBlocks(Ext2Superblock sb) {
    return sb.hasIncompat(Ext2Features.INCOMPAT_META_BG)
        ? Math.min(sb.gdtBlocks(), sb.firstMetaBg)
        : sb.gdtBlocks();
  }

  /**
   * Whether group {@code g} holds a copy of its meta group's descriptor block (meta_bg): the first,
   * second and last group of each meta group do, the kernel's ext4_bg_num_gdb_meta().
   */
  public static boolean groupHasMetaBgDesc(Ext2Superblock sb, long g) {
    if (!sb.hasIncompat(Ext2Features.INCOMPAT_META_BG)) {
      return false;
    }
    long perBlock = sb.descPerBlock();
    if (g / perBlock < sb.firstMetaBg) {
      return false;
    }
    long index = g % perBlock;
    return index == 0 || index == 1 || index == perBlock - 1;
  }
}
