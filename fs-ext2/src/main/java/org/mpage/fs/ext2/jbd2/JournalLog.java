// fs/jbd2/recovery.c: jread and the wrap() of the circular log; fs/jbd2/journal.c:
// jbd2_journal_bmap
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * The journal as its recovery reads it: block {@code n} of the journal found through the
 * filesystem's mapping of the journal inode, read from the device, and the circular log area {@code
 * [first, maxlen)} where a position past the end continues at {@code first}.
 */
final class JournalLog {
  private final JournalSuperblock sb;
  private final JournalMap map;
  private final BlockReader reader;
  private final long fsBlocks;

  JournalLog(JournalSuperblock sb, JournalMap map, BlockReader reader, long fsBlocks) {
    this.sb = sb;
    this.map = map;
    this.reader = reader;
    this.fsBlocks = fsBlocks;
  }

  JournalSuperblock superblock() {
    return sb;
  }

  /** Journal block {@code n}, mapped and read; a copy the caller may change. */
  byte[] read(long n) throws IOException {
    if (n < 0 || n >= sb.maxLen) {
      throw new CorruptFilesystemException(
          "journal block " + n + " is outside the journal of " + sb.maxLen + " blocks", 8, -1);
    }
    long disk = map.bmap(n);
    if (disk <= 0 || disk >= fsBlocks) {
      throw new CorruptFilesystemException(
          "journal block " + n + " maps to block " + disk + ", outside the filesystem", 8, disk);
    }
    byte[] data = reader.read(disk);
    if (data.length != sb.blockSize) {
      throw new IllegalStateException("read " + data.length + " bytes of block " + disk);
    }
    return data;
  }

  /** The log position {@code count} blocks after {@code n}, wrapped into the log area. */
  long advance(long n, long count) {
    long area = sb.maxLen - sb.first;
    return sb.first + Math.floorMod(n - sb.first + count, area);
  }

  /** How many blocks the log area holds: no pass may visit more before the log ends. */
  long area() {
    return sb.maxLen - sb.first;
  }
}
