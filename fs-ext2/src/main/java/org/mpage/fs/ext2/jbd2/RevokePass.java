// fs/jbd2/recovery.c: do_one_pass(PASS_REVOKE), scan_revoke_records; fs/jbd2/revoke.c: the table
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The second pass: the revoke records of the committed transactions, as a table from filesystem
 * block to the newest transaction that revoked it. A block revoked in transaction T is not replayed
 * from T or any earlier transaction (its copies there are stale: the block was freed and maybe
 * reused for data the journal does not hold), but a copy logged after T is.
 */
final class RevokePass {
  private final JournalLog log;
  private final JournalSuperblock sb;
  private final Map<Long, Integer> revoked = new HashMap<>();
  private int records;

  RevokePass(JournalLog log) {
    this.log = log;
    this.sb = log.superblock();
  }

  /** Reads the revoke blocks of every committed transaction. */
  RevokePass run(ScanPass.Result scan) throws IOException {
    for (ScanPass.Transaction t : scan.committed()) {
      for (long at : t.revokeBlocks()) {
        scanRevokeRecords(log.read(at), at, t.tid());
      }
    }
    return this;
  }

  // scan_revoke_records: a header, r_count (bytes used, header included), then 4- or 8-byte records
  private void scanRevokeRecords(byte[] block, long at, int tid) throws CorruptFilesystemException {
    ByteBuffer b = ByteBuffer.wrap(block);
    long used = Integer.toUnsignedLong(b.getInt(JournalSuperblock.HEADER_SIZE));
    if (used > block.length - sb.tailBytes()) {
      throw new CorruptFilesystemException(
          "journal revoke block " + at + " claims " + used + " bytes of records", 8, -1);
    }
    int recordBytes = sb.is64bit() ? 8 : 4;
    for (int off = JournalSuperblock.HEADER_SIZE + 4;
        off + recordBytes <= used;
        off += recordBytes) {
      long blocknr = recordBytes == 8 ? b.getLong(off) : Integer.toUnsignedLong(b.getInt(off));
      revoked.merge(blocknr, tid, (old, now) -> after(now, old) ? now : old);
      records++;
    }
  }

  /** jbd2_journal_test_revoke: whether {@code block}'s copy in transaction {@code tid} is stale. */
  boolean isRevoked(long block, int tid) {
    Integer by = revoked.get(block);
    return by != null && !after(tid, by);
  }

  /** How many revoke records were read (the kernel's nr_revokes). */
  int records() {
    return records;
  }

  /**
   * Sequence numbers wrap: {@code a} is later than {@code b} if the signed distance is positive.
   */
  static boolean after(int a, int b) {
    return a - b > 0;
  }
}
