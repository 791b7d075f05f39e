package org.mpage.api.fs;

import org.mpage.api.page.Inode;
import org.osgi.annotation.versioning.ProviderType;

/** A file's page cache, read and written through mpage with the filesystem's get_block. */
@ProviderType
public interface CachedFileData {
  Inode inode();

  /** A new open file description (own readahead state, own writeback error cursor). */
  FileHandle open();

  /** Drops every cached page from {@code fromPage} on, waiting for their I/O. */
  void dropPages(long fromPage);

  /**
   * Sets the file size in the page cache: pages beyond it are dropped and the tail of the last one
   * zeroed. Freeing blocks is the filesystem's part.
   */
  void truncate(long size);
}
