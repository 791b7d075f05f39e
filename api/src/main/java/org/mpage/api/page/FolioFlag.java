package org.mpage.api.page;

/** State bits of a {@link Folio}: the kernel's {@code PG_*} page flags that mpage touches. */
public enum FolioFlag {
  /** Someone owns the folio for I/O or for changing its state. */
  LOCKED,
  /** The memory holds the file's current data. */
  UPTODATE,
  /** The memory holds data newer than the disk. */
  DIRTY,
  /** A write of the folio is in flight. */
  WRITEBACK,
  /** The last I/O on the folio failed. */
  ERROR,
  /** Every block of the folio is mapped on disk (no holes). */
  MAPPEDTODISK,
  /** Reading this folio should start the next asynchronous readahead. */
  READAHEAD,
  /** Recently used: spared once by eviction. */
  REFERENCED;

  final int bit() {
    return 1 << ordinal();
  }
}
