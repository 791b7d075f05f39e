package org.mpage.api.page;

/** State bits of a {@link Folio}: the kernel's {@code PG_*} page flags that mpage touches. */
public enum FolioFlag {
  /** Someone owns the folio for I/O or for changing its state. */
  LOCKED(0),
  /** The memory holds the file's current data. */
  UPTODATE(1),
  /** The memory holds data newer than the disk. */
  DIRTY(2),
  /** A write of the folio is in flight. */
  WRITEBACK(3),
  /** The last I/O on the folio failed. */
  ERROR(4),
  /** Every block of the folio is mapped on disk (no holes). */
  MAPPEDTODISK(5),
  /** Reading this folio should start the next asynchronous readahead. */
  READAHEAD(6),
  /** Recently used: spared once by eviction. */
  REFERENCED(7);

  private final int bit;

  /** {@code position}: the flag's bit, fixed here so that reordering the names changes nothing. */
  FolioFlag(int position) {
    this.bit = 1 << position;
  }

  final int bit() {
    return bit;
  }
}
