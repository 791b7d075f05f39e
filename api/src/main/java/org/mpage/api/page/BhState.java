package org.mpage.api.page;

/** State bits of a {@link BufferHead}: the kernel's {@code BH_*}. */
public enum BhState {
  /** Contains valid data. */
  UPTODATE(0),
  /** Newer than the disk. */
  DIRTY(1),
  /** Under I/O or being changed. */
  LOCK(2),
  /** Has been submitted for I/O at least once. */
  REQ(3),
  /** {@link BufferHead#blocknr()} and {@link BufferHead#bdev()} are valid. */
  MAPPED(4),
  /** The block was just allocated by get_block and holds no data yet. */
  NEW(5),
  /** Part of an asynchronous read of its folio. */
  ASYNC_READ(6),
  /** Part of an asynchronous write of its folio. */
  ASYNC_WRITE(7),
  /**
   * Mapping the block after this one needs a metadata read that is probably adjacent on disk:
   * submit what has been gathered before asking.
   */
  BOUNDARY(8),
  /** The last write of the buffer failed. */
  WRITE_EIO(9);

  private final int bit;

  /** {@code position}: the flag's bit, fixed here so that reordering the names changes nothing. */
  BhState(int position) {
    this.bit = 1 << position;
  }

  final int bit() {
    return bit;
  }
}
