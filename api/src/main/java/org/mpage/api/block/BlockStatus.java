package org.mpage.api.block;

/**
 * Outcome of a {@link Bio}: the kernel's {@code blk_status_t}. A device reports one status per BIO
 * and never throws across the completion path.
 */
public enum BlockStatus {
  OK(0),
  /** Medium or transport error, or I/O beyond the end of the device. */
  IOERR(5),
  /** The device is gone (closed, vanished, or swapped out for good). */
  NODEV(19),
  /** The device is full (thin provisioning, or a host file that cannot grow). */
  NOSPC(28),
  /** The device does not support the operation (for example the synchronous page path). */
  NOTSUPP(95),
  /** Try again later; nothing was done. */
  AGAIN(11);

  private final int errno;

  BlockStatus(int errno) {
    this.errno = errno;
  }

  /** The errno this status maps to, as {@code blk_status_to_errno()} does; 0 for {@link #OK}. */
  public int errno() {
    return errno;
  }

  /** Whether the I/O succeeded. */
  public boolean isOk() {
    return this == OK;
  }
}
