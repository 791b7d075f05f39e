// include/linux/jbd2.h (journal_superblock_t) and fs/jbd2/journal.c (journal_get_superblock)
package org.mpage.fs.ext2.jbd2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.UnsupportedFeatureException;

/**
 * The journal superblock, the first block of the journal, big-endian like every journal block.
 * Version 1 has no feature words; version 2 adds them, the UUID and, for checksum v2/v3, its own
 * CRC32C. The constructor checks what a recovery relies on: the magic and type, a block size equal
 * to the filesystem's, {@code 0 < first < maxlen <= } the journal's length, a log start inside the
 * log area, and features this reader knows (an unknown incompatible or read-only one is refused by
 * name, as {@code jbd2_journal_load} refuses it).
 */
public final class JournalSuperblock {
  static final int MAGIC = 0xC03B_3998;
  static final int DESCRIPTOR_BLOCK = 1;
  static final int COMMIT_BLOCK = 2;
  static final int SUPERBLOCK_V1 = 3;
  static final int SUPERBLOCK_V2 = 4;
  static final int REVOKE_BLOCK = 5;

  /** The common header of every journal metadata block: magic, block type, sequence. */
  static final int HEADER_SIZE = 12;

  static final int COMPAT_CHECKSUM = 0x1;
  static final int INCOMPAT_REVOKE = 0x1;
  static final int INCOMPAT_64BIT = 0x2;
  static final int INCOMPAT_ASYNC_COMMIT = 0x4;
  static final int INCOMPAT_CSUM_V2 = 0x8;
  static final int INCOMPAT_CSUM_V3 = 0x10;
  static final int INCOMPAT_FAST_COMMIT = 0x20;

  /** What this reader replays: everything but fast commits (an ext4 log of its own). */
  static final int INCOMPAT_SUPP =
      INCOMPAT_REVOKE
          | INCOMPAT_64BIT
          | INCOMPAT_ASYNC_COMMIT
          | INCOMPAT_CSUM_V2
          | INCOMPAT_CSUM_V3;

  static final int CHECKSUM_TYPE_CRC32C = 4;
  private static final int CHECKSUM_OFFSET = 0xFC;

  private static final String[] INCOMPAT_NAMES = {
    "journal_incompat_revoke",
    "journal_64bit",
    "journal_async_commit",
    "journal_checksum_v2",
    "journal_checksum_v3",
    "journal_fast_commit"
  };

  public final int version;
  public final int blockSize;
  public final long maxLen;
  public final long first;
  public final int sequence;
  public final long start;
  public final int errno;
  public final int compat;
  public final int incompat;
  public final int roCompat;
  final byte[] uuid = new byte[16];

  /**
   * Parses and checks journal block 0.
   *
   * @param fsBlockSize the filesystem's block size, which an internal journal must share
   * @param journalBlocks how many blocks the journal inode holds
   */
  public JournalSuperblock(byte[] block, int fsBlockSize, long journalBlocks)
      throws CorruptFilesystemException, UnsupportedFeatureException {
    ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.BIG_ENDIAN);
    if (b.getInt(0) != MAGIC) {
      throw corrupt(String.format("bad magic number 0x%08x", b.getInt(0)));
    }
    int type = b.getInt(4);
    if (type != SUPERBLOCK_V1 && type != SUPERBLOCK_V2) {
      throw corrupt("block type " + type + " is not a journal superblock");
    }
    version = type == SUPERBLOCK_V1 ? 1 : 2;
    blockSize = b.getInt(12);
    maxLen = Integer.toUnsignedLong(b.getInt(16));
    first = Integer.toUnsignedLong(b.getInt(20));
    sequence = b.getInt(24);
    start = Integer.toUnsignedLong(b.getInt(28));
    errno = b.getInt(32);
    if (version == 2) {
      compat = b.getInt(36);
      incompat = b.getInt(40);
      roCompat = b.getInt(44);
      b.get(48, uuid);
    } else {
      compat = 0;
      incompat = 0;
      roCompat = 0;
    }
    if (blockSize != fsBlockSize) {
      throw corrupt("block size " + blockSize + " differs from the filesystem's " + fsBlockSize);
    }
    if (maxLen > journalBlocks) {
      throw corrupt(
          "journal length "
              + maxLen
              + " blocks, but the journal inode holds only "
              + journalBlocks
              + " (journal file too short)");
    }
    if (first == 0 || first >= maxLen) {
      throw corrupt("log start block " + first + " outside the journal of " + maxLen + " blocks");
    }
    if (start != 0 && (start < first || start >= maxLen)) {
      throw corrupt("log head " + start + " outside the log area " + first + ".." + (maxLen - 1));
    }
    checkFeatures(block);
  }

  private void checkFeatures(byte[] block)
      throws CorruptFilesystemException, UnsupportedFeatureException {
    int unknown = incompat & ~INCOMPAT_SUPP;
    if (unknown != 0 || roCompat != 0) {
      List<String> names = new ArrayList<>();
      for (int bit = 0; bit < 32; bit++) {
        if ((unknown & (1 << bit)) != 0) {
          names.add(bit < INCOMPAT_NAMES.length ? INCOMPAT_NAMES[bit] : "journal FEATURE_I" + bit);
        }
        if ((roCompat & (1 << bit)) != 0) {
          names.add("journal FEATURE_R" + bit);
        }
      }
      throw new UnsupportedFeatureException("jbd2", names);
    }
    if (has(INCOMPAT_CSUM_V2) && has(INCOMPAT_CSUM_V3)) {
      throw corrupt("both journal_checksum_v2 and journal_checksum_v3 are set");
    }
    if (checksumV2orV3()) {
      int type = block[0x50] & 0xff;
      if (type != CHECKSUM_TYPE_CRC32C) {
        throw corrupt("checksum type " + type + " (only crc32c, type 4, goes with checksum v2/v3)");
      }
      int stored = ByteBuffer.wrap(block).getInt(CHECKSUM_OFFSET);
      int computed = Jbd2Checksum.unseeded(java.util.Arrays.copyOf(block, 1024), CHECKSUM_OFFSET);
      if (stored != computed) {
        throw corrupt(
            String.format("superblock checksum 0x%08x, computed 0x%08x", stored, computed));
      }
    }
  }

  private static CorruptFilesystemException corrupt(String what) {
    return new CorruptFilesystemException("journal superblock: " + what, 8, -1);
  }

  boolean has(int incompatBit) {
    return (incompat & incompatBit) != 0;
  }

  boolean is64bit() {
    return has(INCOMPAT_64BIT);
  }

  boolean checksumV1() {
    return (compat & COMPAT_CHECKSUM) != 0;
  }

  boolean checksumV2orV3() {
    return has(INCOMPAT_CSUM_V2) || has(INCOMPAT_CSUM_V3);
  }

  /** The bytes of one block tag in a descriptor: the kernel's {@code journal_tag_bytes}. */
  int tagBytes() {
    if (has(INCOMPAT_CSUM_V3)) {
      return 16;
    }
    int size = 8;
    if (has(INCOMPAT_CSUM_V2)) {
      size += 2;
    }
    return is64bit() ? size + 4 : size;
  }

  /** The checksum tail at the end of descriptor and revoke blocks (v2/v3), or 0. */
  int tailBytes() {
    return checksumV2orV3() ? 4 : 0;
  }

  /** Whether the log holds transactions to replay: s_start is 0 exactly when it was emptied. */
  public boolean needsRecovery() {
    return start != 0;
  }

  /** The feature names, for messages. */
  public String featureNames() {
    List<String> names = new ArrayList<>();
    if (checksumV1()) {
      names.add("journal_checksum");
    }
    for (int bit = 0; bit < INCOMPAT_NAMES.length; bit++) {
      if ((incompat & (1 << bit)) != 0) {
        names.add(INCOMPAT_NAMES[bit]);
      }
    }
    return names.isEmpty() ? "(none)" : String.join(" ", names);
  }
}
