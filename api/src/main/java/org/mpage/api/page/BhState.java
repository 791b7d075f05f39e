package org.mpage.api.page;

/** State bits of a {@link BufferHead}: the kernel's {@code BH_*}. */
public enum BhState {
  /** Contains valid data. */
  UPTODATE,
  /** Newer than the disk. */
  DIRTY,
  /** Under I/O or being changed. */
  LOCK,
  /** Has been submitted for I/O at least once. */
  REQ,
  /** {@link BufferHead#blocknr()} and {@link BufferHead#bdev()} are valid. */
  MAPPED,
  /** The block was just allocated by get_block and holds no data yet. */
  NEW,
  /** Part of an asynchronous read of its folio. */
  ASYNC_READ,
  /** Part of an asynchronous write of its folio. */
  ASYNC_WRITE,
  /**
   * Mapping the block after this one needs a metadata read that is probably adjacent on disk:
   * submit what has been gathered before asking.
   */
  BOUNDARY,
  /** The last write of the buffer failed. */
  WRITE_EIO;

  final int bit() {
    return 1 << ordinal();
  }
}
