// include/linux/jbd2.h: journal_block_tag_t and journal_block_tag3_t, one logged block
package org.mpage.fs.ext2.jbd2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * One tag of a descriptor block: the filesystem block that the next log block holds a copy of, its
 * flags and, with checksum v2/v3, the checksum of that copy.
 *
 * @param fsBlock where the copy goes
 * @param flags {@link #ESCAPE}, {@link #SAME_UUID}, {@link #DELETED}, {@link #LAST_TAG}
 * @param checksum v3: the full CRC32C; v2: its low 16 bits; otherwise 0
 */
record BlockTag(long fsBlock, int flags, int checksum) {
  /** The copy's first four bytes were the journal magic and are stored zeroed. */
  static final int ESCAPE = 0x1;

  /** No UUID follows this tag: it is the previous tag's. */
  static final int SAME_UUID = 0x2;

  static final int DELETED = 0x4;
  static final int LAST_TAG = 0x8;

  private static final int UUID_BYTES = 16;

  boolean escaped() {
    return (flags & ESCAPE) != 0;
  }

  /**
   * The tags of a descriptor block, in log order: the kernel's {@code count_tags} walk. The tags
   * end at the one flagged {@link #LAST_TAG}, or where no further tag fits before the checksum
   * tail. jbd2 always flags its last tag, so with {@code strict} a block that fills up without one
   * is refused as corrupt; a descriptor whose checksum already failed is read as the kernel reads
   * it (a stale block whose commit decides what happens).
   */
  static List<BlockTag> parse(byte[] block, JournalSuperblock sb, long logBlock, boolean strict)
      throws CorruptFilesystemException {
    ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.BIG_ENDIAN);
    int tagBytes = sb.tagBytes();
    int end = block.length - sb.tailBytes();
    boolean v3 = sb.has(JournalSuperblock.INCOMPAT_CSUM_V3);
    List<BlockTag> tags = new ArrayList<>();
    int at = JournalSuperblock.HEADER_SIZE;
    while (at + tagBytes <= end) {
      long blocknr = Integer.toUnsignedLong(b.getInt(at));
      if (sb.is64bit()) {
        blocknr |= Integer.toUnsignedLong(b.getInt(at + 8)) << 32;
      }
      // The 16-bit flags sit at byte 6 of both layouts (the low half of tag3's 32-bit flags).
      int flags = Short.toUnsignedInt(b.getShort(at + 6));
      int checksum = v3 ? b.getInt(at + 12) : Short.toUnsignedInt(b.getShort(at + 4));
      tags.add(new BlockTag(blocknr, flags, sb.checksumV2orV3() ? checksum : 0));
      at += tagBytes;
      if ((flags & SAME_UUID) == 0) {
        at += UUID_BYTES;
      }
      if ((flags & LAST_TAG) != 0) {
        return tags;
      }
    }
    if (strict) {
      throw new CorruptFilesystemException(
          "journal descriptor block "
              + logBlock
              + " has no last tag among the "
              + tags.size()
              + " that fit in it",
          8,
          -1);
    }
    return tags;
  }
}
