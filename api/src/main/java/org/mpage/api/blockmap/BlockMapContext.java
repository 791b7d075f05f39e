package org.mpage.api.blockmap;

import java.nio.ByteBuffer;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CorruptFilesystemException;
import org.osgi.annotation.versioning.ProviderType;

/** What a mounted filesystem lends a block map: its buffer cache, its bounds and its judgement. */
@ProviderType
public interface BlockMapContext {
  /** The mount's buffer cache, through which mapping blocks are read (and stay cached). */
  BufferCache bufferCache();

  /** The first block that may hold data or mapping blocks. */
  long firstDataBlock();

  /** The filesystem's size in blocks: every block number must stay below it. */
  long blocksCount();

  /**
   * The error for a corrupt mapping of {@code ino} found in {@code block} (-1 for the inode
   * itself), remembered by the filesystem so that a later read of the file names the cause.
   */
  CorruptFilesystemException corrupt(String problem, long ino, long block);

  /**
   * Checks a mapping block read for {@code inode} at {@code block} against the filesystem's
   * metadata checksum, if it keeps one (its position and limit are not changed).
   */
  void verifyMapBlock(MappedInode inode, long block, ByteBuffer content)
      throws CorruptFilesystemException;
}
