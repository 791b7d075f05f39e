// fs/jbd2/recovery.c: the __getblk and read of jread, one filesystem block
package org.mpage.fs.ext2.jbd2;

import java.io.IOException;

/** Reads one filesystem block from the device as it is on disk (before any replay). */
@FunctionalInterface
public interface BlockReader {
  /** The bytes of filesystem block {@code block}: a fresh array of the block size. */
  byte[] read(long block) throws IOException;
}
