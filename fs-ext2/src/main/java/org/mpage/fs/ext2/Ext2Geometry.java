// fs/ext2/super.c ext2_fill_super's geometry checks, with e2fsprogs' ext2fs_check_desc
package org.mpage.fs.ext2;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.fs.ext2.disk.DescriptorLayout;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mount-time cross-checks of the layout, beyond the range checks the kernel's ext2 makes: a
 * superblock that contradicts itself is refused (explained by its backup, {@link BackupSuper}), and
 * so is a group whose metadata overlaps.
 *
 * <p>Each group holds, in this order by mke2fs, a superblock copy, a copy of the descriptor table
 * and the reserved GDT blocks (only in groups with a backup, see {@link
 * Ext2Superblock#groupHasSuper}), then its block bitmap, inode bitmap and inode table. The kernel's
 * ext2 checks only that the last three lie inside the group; e2fsck's ext2fs_check_desc() also
 * marks every metadata block once and fails a descriptor whose blocks are already taken. Without
 * flex_bg all of a group's metadata is inside the group, so checking each group on its own finds
 * every overlap. With flex_bg (read-only) a group's bitmaps and table are checked against each
 * other and against the copies at the start of the groups they lie in, not against other groups'
 * bitmaps and tables.
 *
 * <p>An overlap makes writes wrong: allocation trusts the bitmaps, so a bitmap that shares a block
 * with anything else hands out or frees the wrong blocks and inodes. Reads use only the inode
 * table. So a read-write mount is refused for any overlap, and a read-only mount only when the
 * inode table is part of it: then either the table or the other block is misplaced, and as the
 * table might be the one, reads could return other files' inodes.
 */
final class Ext2Geometry {
  private static final Logger LOG = LoggerFactory.getLogger(Ext2Geometry.class);

  private Ext2Geometry() {}

  /** Refuses a superblock whose geometry contradicts itself, or (read-write) its free counts. */
  static void checkSuper(
      Ext2Superblock sb, boolean readOnly, BackupSuper.Reader reader, long deviceBytes)
      throws CorruptFilesystemException {
    Ext2Superblock.Problem problem = sb.geometryProblem();
    if (problem != null) {
      throw BackupSuper.explain(sb, problem, reader, deviceBytes);
    }
    String counts = sb.summaryProblem();
    if (counts != null && !readOnly) {
      throw new CorruptFilesystemException(
          "superblock: " + counts + ": mount read-only, or run e2fsck to recount", -1, 1);
    }
  }

  /** A named run of blocks of one group. */
  private record Extent(String name, long first, long last) {
    boolean overlaps(Extent o) {
      return first <= o.last && o.first <= last;
    }

    @Override
    public String toString() {
      return name + (first == last ? " (block " + first : " (blocks " + first + ".." + last) + ")";
    }
  }

  /**
   * Refuses group {@code g} when its bitmaps, inode table and superblock/descriptor copy overlap:
   * any overlap for a read-write mount, one involving the inode table for a read-only mount (see
   * the class comment). Call after the range checks of ext2_check_descriptors(). With flex_bg the
   * bitmaps and table may lie in another group: they are checked against the copies of the groups
   * they lie in.
   */
  static void checkOverlap(Ext2Superblock sb, long g, GroupDesc gd, boolean readOnly)
      throws CorruptFilesystemException {
    List<Extent> parts = new ArrayList<>();
    parts.add(new Extent("block bitmap", gd.blockBitmap(), gd.blockBitmap()));
    parts.add(new Extent("inode bitmap", gd.inodeBitmap(), gd.inodeBitmap()));
    long table = gd.inodeTable();
    parts.add(new Extent("inode table", table, table + sb.inodeTableBlocks() - 1));
    Set<Long> groups = new TreeSet<>();
    for (int i = 0; i < 3; i++) {
      groups.add(groupOf(sb, parts.get(i).first));
      groups.add(groupOf(sb, parts.get(i).last));
    }
    for (long of : groups) {
      addGroupCopies(sb, of, of == g ? "" : " of group " + of, parts);
    }
    for (int i = 0; i < 3; i++) {
      for (int j = i + 1; j < parts.size(); j++) {
        if (!parts.get(i).overlaps(parts.get(j))) {
          continue;
        }
        String clash =
            "group descriptor " + g + ": " + parts.get(i) + " overlaps the " + parts.get(j);
        boolean tableInvolved = i == 2 || j == 2;
        if (tableInvolved) {
          throw new CorruptFilesystemException(
              clash + "; the inode table may be the misplaced one: run e2fsck",
              -1,
              parts.get(j).first);
        }
        if (!readOnly) {
          throw new CorruptFilesystemException(
              clash + "; writes would trust a wrong bitmap: mount read-only, or run e2fsck",
              -1,
              parts.get(j).first);
        }
        LOG.warn("{}; mounted read-only, reads do not use the bitmaps", clash);
        return;
      }
    }
  }

  private static long groupOf(Ext2Superblock sb, long block) {
    return (block - sb.firstDataBlock) / sb.blocksPerGroup;
  }

  /**
   * The superblock copy, descriptor copy and reserved GDT blocks at the start of group {@code g},
   * and with meta_bg the descriptor block of its meta group (ext4_bg_num_gdb_meta).
   */
  private static void addGroupCopies(Ext2Superblock sb, long g, String in, List<Extent> parts) {
    long start = sb.firstDataBlock + g * sb.blocksPerGroup;
    boolean hasSuper = sb.groupHasSuper(g);
    String copy = g == 0 ? "" : "backup ";
    if (hasSuper) {
      long gdt = DescriptorLayout.gdtCopyBlocks(sb);
      parts.add(new Extent(copy + "superblock" + in, start, start));
      if (gdt > 0) {
        parts.add(new Extent(copy + "group descriptors" + in, start + 1, start + gdt));
      }
      if (sb.reservedGdt() > 0) {
        parts.add(
            new Extent(
                "reserved GDT blocks" + in, start + gdt + 1, start + gdt + sb.reservedGdt()));
      }
    }
    if (DescriptorLayout.groupHasMetaBgDesc(sb, g)) {
      long at = start + (hasSuper ? 1 : 0);
      parts.add(new Extent("meta_bg group descriptors" + in, at, at));
    }
  }
}
