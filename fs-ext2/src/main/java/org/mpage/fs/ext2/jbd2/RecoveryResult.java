// fs/jbd2/recovery.c: struct recovery_info, what jbd2_journal_recover reports
package org.mpage.fs.ext2.jbd2;

import java.util.List;
import java.util.NavigableMap;

/**
 * What a recovery found and replayed.
 *
 * @param blocks the replayed filesystem blocks, by block number (the last committed copy of each);
 *     not to be changed
 * @param startTid the first transaction of the log
 * @param transactions how many committed transactions were replayed
 * @param replays how many block copies were replayed (a block logged twice counts twice)
 * @param revokeRecords how many revoke records the committed transactions hold
 * @param revokeHits how many logged copies were skipped because a revoke made them stale
 * @param badChecksums the blocks whose copy failed its tag checksum and was skipped
 * @param failedCommit the transaction whose commit failed its checksum (replay stopped before it),
 *     or null
 * @param journalErrno the error the journal superblock records (s_errno), 0 if none
 */
public record RecoveryResult(
    NavigableMap<Long, byte[]> blocks,
    int startTid,
    int transactions,
    int replays,
    int revokeRecords,
    int revokeHits,
    List<Long> badChecksums,
    Integer failedCommit,
    int journalErrno) {

  /** Whether the filesystem should be marked as having errors, as e2fsck and ext4 mark it. */
  public boolean hasErrors() {
    return failedCommit != null || journalErrno != 0 || !badChecksums.isEmpty();
  }

  /** One line for {@code info}: what was replayed, and anything that went wrong. */
  public String summary() {
    StringBuilder s = new StringBuilder("replayed ");
    s.append(plural(transactions, "transaction")).append(", ");
    s.append(plural(replays, "block")).append(", ");
    s.append(revokeHits).append(" revoked");
    if (!badChecksums.isEmpty()) {
      s.append("; ").append(plural(badChecksums.size(), "block")).append(" skipped (bad checksum)");
    }
    if (failedCommit != null) {
      s.append("; transaction ")
          .append(Integer.toUnsignedString(failedCommit))
          .append(" is corrupt, replay stopped before it");
    }
    if (journalErrno != 0) {
      s.append("; the journal records error ").append(journalErrno);
    }
    return s.toString();
  }

  private static String plural(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}
