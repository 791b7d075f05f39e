package org.mpage.api.page;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A second-chance cache for clean pages the page cache evicted: the kernel's cleancache (3.0 to
 * 5.16). mpage asks it before reading a fully mapped page of a one-block-per-page file; a hit
 * spares the disk read.
 *
 * <p>Keys are (pool, inode, page index); a pool is one mounted device or filesystem.
 * Implementations are thread-safe and may forget anything at any time.
 */
@ConsumerType
public interface Cleancache {
  /** Copies the cached page into {@code folio} and returns true, or returns false on a miss. */
  boolean getPage(String pool, long ino, long index, Folio folio);

  /** Offers a clean page that is being evicted. */
  void putPage(String pool, long ino, long index, Folio folio);

  /** Forgets one page (it changed or was truncated). */
  void invalidatePage(String pool, long ino, long index);

  /** Forgets all pages of an inode. */
  void invalidateInode(String pool, long ino);
}
