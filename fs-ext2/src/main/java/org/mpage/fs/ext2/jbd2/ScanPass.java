// fs/jbd2/recovery.c: do_one_pass(PASS_SCAN), calc_chksums, the commit and tail checksum checks
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The first pass: walks the log from its head, transaction after transaction, to find where it
 * ends. A block belongs to the log while it carries the journal magic and the sequence number
 * expected next; a commit block with that sequence closes a transaction and the next sequence is
 * expected. The first block that breaks the chain ends the log, and a transaction without its
 * commit block (torn by a crash) is not part of it.
 *
 * <p>Checksums decide too. With checksum v1 the commit block holds the CRC32 of the transaction's
 * descriptor and data blocks; with v2/v3 every descriptor and revoke block has a checksum tail and
 * the commit block a checksum of its own. A commit that fails its checksum ends the log before that
 * transaction (the kernel records it as the failed commit). A descriptor or revoke block that fails
 * its tail is judged at the transaction's commit: a commit time older than the previous
 * transaction's means stale blocks of an older journal and the log simply ends; otherwise the
 * journal is corrupt.
 *
 * <p>The walk visits at most as many blocks as the log area holds; a log that has not ended by then
 * goes round in circles and is refused as corrupt.
 */
final class ScanPass {
  private final JournalLog log;
  private final JournalSuperblock sb;

  /** The transactions the scan found committed, in order, and why the log ended. */
  record Result(int startTid, int endTid, List<Transaction> committed, Integer failedCommit) {}

  /** One committed transaction: its logged blocks and its revoke blocks, as log positions. */
  record Transaction(int tid, List<Logged> blocks, List<Long> revokeBlocks) {}

  /** A block copy in the log and the tag that says where it belongs. */
  record Logged(long logBlock, BlockTag tag) {}

  ScanPass(JournalLog log) {
    this.log = log;
    this.sb = log.superblock();
  }

  Result run() throws IOException {
    int tid = sb.sequence;
    long next = sb.start;
    int crc = ~0; // v1 transaction checksum, restarted after each commit
    boolean suspect = false; // a descriptor or revoke block of this transaction failed its tail
    long lastCommitTime = 0;
    Integer endTid = null;
    Integer failedCommit = null;
    List<Transaction> committed = new ArrayList<>();
    List<Logged> blocks = new ArrayList<>();
    List<Long> revokes = new ArrayList<>();
    long budget = log.area();
    while (true) {
      if (budget-- <= 0) {
        throw new CorruptFilesystemException(
            "the journal log does not end within its "
                + log.area()
                + " blocks (sequence numbers loop)",
            8,
            -1);
      }
      long here = next;
      byte[] block = log.read(here);
      next = log.advance(here, 1);
      ByteBuffer b = ByteBuffer.wrap(block);
      if (b.getInt(0) != JournalSuperblock.MAGIC || b.getInt(8) != tid) {
        break;
      }
      int type = b.getInt(4);
      if (type == JournalSuperblock.DESCRIPTOR_BLOCK) {
        boolean tailOk = tailVerifies(block);
        suspect |= !tailOk;
        List<BlockTag> tags = BlockTag.parse(block, sb, here, tailOk);
        boolean sumV1 = sb.checksumV1() && !suspect && endTid == null;
        if (sumV1) {
          crc = Jbd2Checksum.crc32Be(crc, block);
        }
        for (BlockTag tag : tags) {
          if (sumV1) {
            crc = Jbd2Checksum.crc32Be(crc, log.read(next));
          }
          blocks.add(new Logged(next, tag));
          next = log.advance(next, 1);
        }
        budget -= tags.size();
      } else if (type == JournalSuperblock.REVOKE_BLOCK) {
        suspect |= !tailVerifies(block);
        revokes.add(here);
      } else if (type == JournalSuperblock.COMMIT_BLOCK) {
        long commitTime = b.getLong(48);
        if (suspect) {
          if (Long.compareUnsigned(commitTime, lastCommitTime) >= 0) {
            throw new CorruptFilesystemException(
                "journal transaction " + Integer.toUnsignedString(tid) + " fails its checksum",
                8,
                -1);
          }
          break; // stale blocks of an earlier journal: the log ends here
        }
        if (sb.checksumV1() && endTid != null) {
          failedCommit = endTid;
          break;
        }
        if (!commitVerifies(block, crc)) {
          if (Long.compareUnsigned(commitTime, lastCommitTime) < 0) {
            break; // stale, as above
          }
          endTid = tid;
          if (!sb.has(JournalSuperblock.INCOMPAT_ASYNC_COMMIT)) {
            failedCommit = tid;
            break;
          }
        } else if (endTid == null) {
          committed.add(new Transaction(tid, List.copyOf(blocks), List.copyOf(revokes)));
        }
        crc = ~0;
        lastCommitTime = commitTime;
        blocks.clear();
        revokes.clear();
        tid++;
      } else {
        break; // an unknown block type ends the log
      }
    }
    return new Result(sb.sequence, endTid != null ? endTid : tid, committed, failedCommit);
  }

  /** A descriptor or revoke block's checksum tail (v2/v3); true without checksums. */
  private boolean tailVerifies(byte[] block) {
    if (!sb.checksumV2orV3()) {
      return true;
    }
    int at = block.length - 4;
    int stored = ByteBuffer.wrap(block).getInt(at);
    return stored == Jbd2Checksum.seeded(sb.uuid, block, at);
  }

  /** The commit block's checksum: v1 the transaction's CRC32, v2/v3 its own CRC32C. */
  private boolean commitVerifies(byte[] block, int crc) {
    ByteBuffer b = ByteBuffer.wrap(block);
    int stored = b.getInt(16);
    if (sb.checksumV1()) {
      int type = block[12] & 0xff;
      int size = block[13] & 0xff;
      boolean crc32 = type == 1 && size == 4 && stored == crc;
      boolean none = type == 0 && size == 0 && stored == 0;
      if (!crc32 && !none) {
        return false;
      }
    }
    return !sb.checksumV2orV3() || stored == Jbd2Checksum.seeded(sb.uuid, block, 16);
  }
}
