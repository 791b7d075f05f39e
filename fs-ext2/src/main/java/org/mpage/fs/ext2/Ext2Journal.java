// fs/ext4/super.c: ext4_load_journal, ext4_get_journal_inode (the mount's side of recovery)
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.GetBlock;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.jbd2.Jbd2Recovery;
import org.mpage.fs.ext2.jbd2.JournalMap;
import org.mpage.fs.ext2.jbd2.JournalSuperblock;
import org.mpage.fs.ext2.jbd2.RecoveryResult;

/**
 * The journal as the mount sees it. A filesystem with {@code has_journal} and {@code
 * needs_recovery} was not unmounted cleanly: its journal holds committed transactions that may not
 * have reached their home blocks. A read-only mount replays them in memory ({@link Jbd2Recovery},
 * then a {@link org.mpage.fs.ext2.jbd2.ReplayOverlayDevice} under the caches); a read-write mount
 * is refused, since writing the journal is out of this driver's scope. Only an internal journal (an
 * inode, usually 8) is read; an external journal device is refused by name.
 *
 * <p>The superblock the recovered filesystem shows is the replayed one if the journal logged it,
 * with {@code needs_recovery} cleared, marked as having errors if the journal recorded one or a
 * transaction was corrupt (as e2fsck and ext4 mark it), and its checksum recomputed under {@code
 * metadata_csum}. None of that is written.
 */
final class Ext2Journal {
  static final String RECOVERY_NEEDED = "needs journal recovery: mount read-only, or run e2fsck";

  private static final int RO_COMPAT_METADATA_CSUM = 0x400;
  private static final int STATE_ERROR = 2;
  private static final int SB_INCOMPAT = 0x60;
  private static final int SB_STATE = 0x3A;
  private static final int SB_JOURNAL_UUID = 0xD0;
  private static final int SB_JOURNAL_INUM = 0xE0;
  private static final int SB_JOURNAL_DEV = 0xE4;
  private static final int SB_CHECKSUM = 0x3FC;

  private Ext2Journal() {}

  /**
   * Whether this mount must replay the journal: a read-only mount of a filesystem that needs
   * recovery. A read-write one keeps {@code needs_recovery} among the features it refuses ({@link
   * #explain} says why); a recovery flag without an internal journal is refused here.
   */
  static boolean mustRecover(Ext2Superblock sb, boolean readOnly) throws IOException {
    if (!sb.hasIncompat(Ext2Features.INCOMPAT_RECOVER) || !readOnly) {
      return false;
    }
    if (!sb.hasCompat(Ext2Features.COMPAT_HAS_JOURNAL)) {
      throw new CorruptFilesystemException(
          "needs_recovery is set but the filesystem has no journal", -1, 1);
    }
    ByteBuffer raw = ByteBuffer.wrap(sb.raw).order(ByteOrder.LITTLE_ENDIAN);
    long inum = Integer.toUnsignedLong(raw.getInt(SB_JOURNAL_INUM));
    if (inum == 0) {
      boolean uuid = false;
      for (int i = 0; i < 16; i++) {
        uuid |= sb.raw[SB_JOURNAL_UUID + i] != 0;
      }
      if (uuid || raw.getInt(SB_JOURNAL_DEV) != 0) {
        throw new UnsupportedFeatureException(
            "ext2",
            List.of("external journal (journal_dev): only an internal journal is replayed"));
      }
      throw new CorruptFilesystemException(
          "needs_recovery is set but the superblock names no journal inode", -1, 1);
    }
    return true;
  }

  /** The refused INCOMPAT names, {@code needs_recovery} with what to do about it. */
  static List<String> explain(List<String> names) {
    return names.stream()
        .map(n -> n.equals("needs_recovery") ? n + " (" + RECOVERY_NEEDED + ")" : n)
        .toList();
  }

  /** What {@code info} says of the journal of a filesystem mounted without a replay. */
  static String status(Ext2Superblock sb) {
    return sb.hasCompat(Ext2Features.COMPAT_HAS_JOURNAL) ? "clean" : null;
  }

  /**
   * Reads the journal of a filesystem mounted (read-only) as it is on disk and replays it in
   * memory: the blocks a device overlay must serve, the superblock's block among them.
   */
  static Replay replay(Ext2SbInfo fs, GetBlock getBlock) throws IOException {
    Ext2Superblock sb = fs.superblock();
    long ino =
        Integer.toUnsignedLong(
            ByteBuffer.wrap(sb.raw).order(ByteOrder.LITTLE_ENDIAN).getInt(SB_JOURNAL_INUM));
    Ext2Inode journal = journalInode(fs, ino);
    long journalBlocks = journal.size() / sb.blockSize;
    JournalMap map = n -> bmap(fs, getBlock, journal, n);
    JournalSuperblock jsb =
        Jbd2Recovery.loadSuperblock(
            map, b -> read(fs, b), sb.blockSize, journalBlocks, sb.blocksCount);
    RecoveryResult result = Jbd2Recovery.recover(jsb, map, b -> read(fs, b), sb.blocksCount);
    NavigableMap<Long, byte[]> blocks = new TreeMap<>(result.blocks());
    long superBlock = Ext2Superblock.OFFSET / sb.blockSize;
    byte[] home = blocks.containsKey(superBlock) ? blocks.get(superBlock) : read(fs, superBlock);
    blocks.put(superBlock, recoveredSuper(home, Ext2Superblock.OFFSET % sb.blockSize, result));
    String status =
        jsb.needsRecovery()
            ? result.summary()
            : "clean (needs_recovery was set, but the log is empty)";
    return new Replay(blocks, status);
  }

  /** The blocks an overlay serves, and the line {@code info} shows. */
  record Replay(NavigableMap<Long, byte[]> blocks, String status) {}

  // ext4_get_journal_inode: the inode must be a live regular file
  private static Ext2Inode journalInode(Ext2SbInfo fs, long ino) throws IOException {
    Ext2Superblock sb = fs.superblock();
    if (ino < 1 || ino > sb.inodesCount) {
      throw fs.corrupt("journal inode number " + ino + " out of range", ino, -1);
    }
    long block = fs.inodeBlock(ino);
    BufferHead bh = fs.bufferCache().bread(block);
    Ext2Inode inode;
    try {
      inode = new Ext2Inode(ino, bh.data(), fs.inodeOffsetInBlock(ino), sb);
    } finally {
      bh.put();
    }
    if (inode.links == 0 || !inode.isRegular()) {
      throw fs.corrupt("the journal inode is not a regular file in use", ino, block);
    }
    if (inode.size() < (long) sb.blockSize * 2) {
      throw fs.corrupt("journal inode of " + inode.size() + " bytes is too short", ino, block);
    }
    return inode;
  }

  // jbd2_journal_bmap through the filesystem's get_block
  private static long bmap(Ext2SbInfo fs, GetBlock getBlock, Ext2Inode journal, long n)
      throws IOException {
    BufferHead map = new BufferHead();
    map.setSize(fs.superblock().blockSize);
    getBlock.getBlock(journal, n, map, false);
    if (!map.isMapped()) {
      throw fs.corrupt("the journal has a hole at block " + n, journal.ino, -1);
    }
    return map.blocknr();
  }

  private static byte[] read(Ext2SbInfo fs, long block) throws IOException {
    BufferHead bh = fs.bufferCache().bread(block);
    try {
      ByteBuffer data = bh.data();
      byte[] out = new byte[data.remaining()];
      data.get(data.position(), out);
      return out;
    } finally {
      bh.put();
    }
  }

  /**
   * The superblock after recovery, in its block: needs_recovery cleared, errors marked, checksum
   * recomputed (ext4_superblock_csum: CRC32C of the bytes before the field, not inverted).
   */
  private static byte[] recoveredSuper(byte[] block, int at, RecoveryResult result) {
    byte[] out = block.clone();
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(at + SB_INCOMPAT, b.getInt(at + SB_INCOMPAT) & ~Ext2Features.INCOMPAT_RECOVER);
    if (result.hasErrors()) {
      b.putShort(at + SB_STATE, (short) (b.getShort(at + SB_STATE) | STATE_ERROR));
    }
    if ((b.getInt(at + 0x64) & RO_COMPAT_METADATA_CSUM) != 0) {
      CRC32C crc = new CRC32C();
      crc.update(out, at, SB_CHECKSUM);
      b.putInt(at + SB_CHECKSUM, ~(int) crc.getValue());
    }
    return out;
  }
}
