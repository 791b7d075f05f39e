package org.mpage.api.fs;

import java.io.IOException;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.page.BufferHead;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The cache of a device's own blocks for filesystem metadata: the kernel's {@code sb_bread}, {@code
 * mark_buffer_dirty}, {@code sync_blockdev}. Buffers returned are pinned; release each with {@link
 * BufferHead#put()}.
 */
@ProviderType
public interface BufferCache {
  BlockDevice device();

  int blockSize();

  /** The uptodate buffer of {@code block}, read if needed. */
  BufferHead bread(long block) throws IOException;

  /** The buffer of {@code block} without reading it (for blocks about to be overwritten). */
  BufferHead getblk(long block) throws IOException;

  /** Marks an uptodate buffer dirty. */
  void markBufferDirty(BufferHead bh);

  /**
   * Asks that block {@code then} never reach the disk before the present contents of block {@code
   * first}: a directory block naming a new inode waits for the inode table block, an inode table
   * block freeing an inode waits for the directory block that no longer names it. Call it after
   * {@code first} holds what must go first and before {@code then} is changed. Background writeback
   * holds {@code then} back; {@link #sync()} writes in as many rounds as the order needs, with a
   * device flush between rounds. Should the new order close a cycle, {@code then} (with what it
   * waits for) is written first, before this returns.
   *
   * @throws IOException if that write fails: then the caller must not go on with the change
   */
  void orderBefore(long first, long then) throws IOException;

  /** Writes all dirty buffers and waits; 0 or the first errno. */
  int sync();
}
