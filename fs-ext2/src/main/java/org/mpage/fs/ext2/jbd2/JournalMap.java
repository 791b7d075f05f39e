// fs/jbd2/journal.c: jbd2_journal_bmap, the journal block to filesystem block mapping
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;

/**
 * Where block {@code n} of an internal journal lives on the device: the filesystem's get_block for
 * the journal inode (indirect for ext3, extents for ext4), so recovery works with either.
 */
@FunctionalInterface
public interface JournalMap {
  /** The filesystem block holding journal block {@code n}; a hole is a corruption. */
  long bmap(long n) throws IOException;
}
