// fs/jbd2/recovery.c: jbd2_journal_recover, the three passes in memory
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;
import java.util.Collections;
import java.util.List;

/**
 * Journal recovery without writing: the kernel's {@code jbd2_journal_recover} (scan for the end of
 * the log, collect the revokes, replay), except that the replayed blocks are returned in memory for
 * a read-only overlay instead of being written to the device, and the journal is not reset.
 */
public final class Jbd2Recovery {
  private Jbd2Recovery() {}

  /** Reads and checks the journal superblock (journal block 0). */
  public static JournalSuperblock loadSuperblock(
      JournalMap map, BlockReader reader, int fsBlockSize, long journalBlocks, long fsBlocks)
      throws IOException {
    long disk = map.bmap(0);
    if (disk <= 0 || disk >= fsBlocks) {
      throw new org.mpage.api.fs.CorruptFilesystemException(
          "journal superblock maps to block " + disk + ", outside the filesystem", 8, disk);
    }
    return new JournalSuperblock(reader.read(disk), fsBlockSize, journalBlocks);
  }

  /**
   * Replays the log of {@code sb}'s journal in memory. A journal whose log is empty (s_start 0)
   * replays nothing.
   *
   * @param fsBlocks the filesystem's block count: no logged block may lie beyond it
   */
  public static RecoveryResult recover(
      JournalSuperblock sb, JournalMap map, BlockReader reader, long fsBlocks) throws IOException {
    if (!sb.needsRecovery()) {
      return new RecoveryResult(
          Collections.emptyNavigableMap(), sb.sequence, 0, 0, 0, 0, List.of(), null, sb.errno);
    }
    JournalLog log = new JournalLog(sb, map, reader, fsBlocks);
    ScanPass.Result scan = new ScanPass(log).run();
    RevokePass revokes = new RevokePass(log).run(scan);
    ReplayPass replay = new ReplayPass(log, fsBlocks).run(scan, revokes);
    return new RecoveryResult(
        Collections.unmodifiableNavigableMap(replay.blocks()),
        scan.startTid(),
        scan.committed().size(),
        replay.replays(),
        revokes.records(),
        replay.revokeHits(),
        List.copyOf(replay.badChecksums()),
        scan.failedCommit(),
        sb.errno);
  }
}
