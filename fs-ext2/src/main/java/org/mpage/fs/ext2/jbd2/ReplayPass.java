// fs/jbd2/recovery.c: do_one_pass(PASS_REPLAY), jbd2_block_tag_csum_verify
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The third pass: every logged block of the committed transactions, oldest first, unless revoked,
 * becomes the new content of its filesystem block; a later copy replaces an earlier one, so the
 * last committed copy wins. An escaped copy gets back the journal magic its first four bytes held.
 * With checksum v2/v3 a copy that fails its tag's checksum is skipped and reported, as the kernel
 * does, and the other blocks are still replayed.
 *
 * <p>Nothing is written: the result is the set of replayed blocks, held in memory.
 */
final class ReplayPass {
  private final JournalLog log;
  private final JournalSuperblock sb;
  private final long fsBlocks;
  private final NavigableMap<Long, byte[]> blocks = new TreeMap<>();
  private final List<Long> badChecksums = new ArrayList<>();
  private int replays;
  private int revokeHits;

  ReplayPass(JournalLog log, long fsBlocks) {
    this.log = log;
    this.sb = log.superblock();
    this.fsBlocks = fsBlocks;
  }

  ReplayPass run(ScanPass.Result scan, RevokePass revokes) throws IOException {
    for (ScanPass.Transaction t : scan.committed()) {
      for (ScanPass.Logged logged : t.blocks()) {
        BlockTag tag = logged.tag();
        if (revokes.isRevoked(tag.fsBlock(), t.tid())) {
          revokeHits++;
          continue;
        }
        byte[] data = log.read(logged.logBlock());
        if (!tagVerifies(tag, data, t.tid())) {
          badChecksums.add(tag.fsBlock());
          continue;
        }
        if (tag.fsBlock() >= fsBlocks) {
          throw new CorruptFilesystemException(
              "journal transaction "
                  + Integer.toUnsignedString(t.tid())
                  + " logs block "
                  + tag.fsBlock()
                  + ", outside the filesystem of "
                  + fsBlocks
                  + " blocks",
              8,
              -1);
        }
        if (tag.escaped()) {
          ByteBuffer.wrap(data).putInt(0, JournalSuperblock.MAGIC);
        }
        blocks.put(tag.fsBlock(), data);
        replays++;
      }
    }
    return this;
  }

  // jbd2_block_tag_csum_verify: CRC32C of the sequence (big-endian) then the block, seeded
  private boolean tagVerifies(BlockTag tag, byte[] data, int tid) {
    if (!sb.checksumV2orV3()) {
      return true;
    }
    byte[] seq = ByteBuffer.allocate(4).putInt(tid).array();
    int csum = Jbd2Checksum.seeded(sb.uuid, data, -1, seq);
    return sb.has(JournalSuperblock.INCOMPAT_CSUM_V3)
        ? tag.checksum() == csum
        : tag.checksum() == (csum & 0xffff);
  }

  NavigableMap<Long, byte[]> blocks() {
    return blocks;
  }

  List<Long> badChecksums() {
    return badChecksums;
  }

  int replays() {
    return replays;
  }

  int revokeHits() {
    return revokeHits;
  }
}
