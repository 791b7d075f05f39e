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

  /** Writes all dirty buffers and waits; 0 or the first errno. */
  int sync();
}
