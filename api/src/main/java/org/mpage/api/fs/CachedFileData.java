package org.mpage.api.fs;

import org.mpage.api.page.Inode;
import org.osgi.annotation.versioning.ProviderType;

/** A file's page cache, read and written through mpage with the filesystem's get_block. */
@ProviderType
public interface CachedFileData {
  Inode inode();

  /** A new open file description (own readahead state, own writeback error cursor). */
  FileHandle open();

  /**
   * The file's writer lock, the kernel's {@code inode_lock}: every write through a handle holds it,
   * and a filesystem holds it across a truncation (the page cache's half and the freeing of blocks
   * beyond the new size), so that no write allocates a block the truncation is about to free.
   * Reentrant.
   */
  java.util.concurrent.locks.Lock inodeLock();

  /** Drops every cached page from {@code fromPage} on, waiting for their I/O. */
  void dropPages(long fromPage);

  /**
   * Sets the file size in the page cache: pages beyond it are dropped and the tail of the last one
   * zeroed. Freeing blocks is the filesystem's part.
   */
  void truncate(long size);
}
