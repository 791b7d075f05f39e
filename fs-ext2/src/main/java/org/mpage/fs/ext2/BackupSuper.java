// e2fsprogs e2fsck/util.c get_backup_sb, as a refused mount's explanation
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * The first backup superblock, consulted when the primary one contradicts itself, to say which
 * value is wrong and how e2fsck repairs it. e2fsck, given a superblock it cannot open, looks for a
 * backup at the start of group 1; where the primary's blocks per group are themselves damaged it
 * guesses the standard place for the block size (8 * block size blocks per group, so block 8193,
 * 16384 or 32768). This class does the same, and gives up quietly (the refusal stands, only the
 * explanation is shorter) when the backup cannot be read or is no better.
 */
final class BackupSuper {
  /** Reads the 1024 superblock bytes at a byte offset of the device. */
  @FunctionalInterface
  interface Reader {
    ByteBuffer read(long byteOffset) throws IOException;
  }

  private BackupSuper() {}

  /** The block (of the primary's block size) where the first backup should be, or -1 if none. */
  static long location(Ext2Superblock sb) {
    long firstData = sb.blockSize == 1024 ? 1 : 0;
    long perGroup = sb.blocksPerGroup;
    if (perGroup < 8 || perGroup > 8L * sb.blockSize) {
      perGroup = 8L * sb.blockSize; // what mke2fs picks unless told otherwise
    }
    long group = 1;
    if (sb.hasCompat(Ext2Features.COMPAT_SPARSE_SUPER2)) {
      group = sb.backupBgs[0];
      if (group == 0) {
        return -1;
      }
    }
    return firstData + group * perGroup;
  }

  /**
   * The refusal of a superblock with {@code problem}, explained by what the backup says: for
   * example "superblock: inodes per group 2049 does not fit 256 groups and 524288 inodes; the
   * backup superblock at block 32768 says 2048 (e2fsck -b 32768 repairs it)".
   */
  static CorruptFilesystemException explain(
      Ext2Superblock sb, Ext2Superblock.Problem problem, Reader reader, long deviceBytes) {
    String message =
        "superblock: " + problem.text() + "; " + consult(sb, problem, reader, deviceBytes);
    return new CorruptFilesystemException(message, -1, 1);
  }

  private static String consult(
      Ext2Superblock sb, Ext2Superblock.Problem problem, Reader reader, long deviceBytes) {
    long block = location(sb);
    if (block < 0) {
      return "sparse_super2 keeps no backup superblock: run e2fsck";
    }
    String at = "the backup superblock at block " + block;
    long byteOffset = block * sb.blockSize;
    if (deviceBytes >= 0 && byteOffset + Ext2Superblock.SIZE > deviceBytes) {
      return "there is no backup superblock (block " + block + " is beyond the device): run e2fsck";
    }
    Ext2Superblock backup;
    try {
      backup = new Ext2Superblock(reader.read(byteOffset), deviceBytes);
    } catch (CorruptFilesystemException e) {
      return at + " is unusable too (" + e.problem() + "): run e2fsck";
    } catch (IOException e) {
      return at + " could not be read (" + e.getMessage() + "): run e2fsck";
    }
    if (backup.blockSize != sb.blockSize) {
      return at + " is of another filesystem (block size " + backup.blockSize + "): run e2fsck";
    }
    Ext2Superblock.Problem own = backup.geometryProblem();
    if (own != null) {
      return at + " is no better (" + own.text() + "): run e2fsck";
    }
    List<Ext2Superblock.Field> differ = new ArrayList<>();
    for (Ext2Superblock.Field f : Ext2Superblock.Field.values()) {
      if (f.of(backup) != f.of(sb)) {
        differ.add(f);
      }
    }
    String repair = " (e2fsck -b " + block + " repairs it)";
    if (differ.isEmpty()) {
      return at + " agrees: run e2fsck";
    }
    if (differ.equals(List.of(problem.field()))) {
      return at + " says " + problem.field().of(backup) + repair;
    }
    List<String> says = new ArrayList<>();
    for (Ext2Superblock.Field f : differ) {
      says.add(f.label + " " + f.of(backup));
    }
    return at + " says " + String.join(", ", says) + repair;
  }
}
