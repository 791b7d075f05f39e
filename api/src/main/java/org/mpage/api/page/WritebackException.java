package org.mpage.api.page;

import java.io.IOException;

/**
 * An earlier asynchronous writeback of the file failed; reported once per open file by fsync. The
 * kernel returns the errno from {@code file_check_and_advance_wb_err}.
 */
public class WritebackException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  public WritebackException(String file, int errno) {
    super(file + ": writeback failed: " + errnoName(errno));
    this.errno = errno;
  }

  /** The errno of the failure (5 for EIO, 28 for ENOSPC, ...). */
  public int errno() {
    return errno;
  }

  /** A short name for the common errnos. */
  public static String errnoName(int errno) {
    return switch (errno) {
      case 5 -> "EIO (I/O error)";
      case 19 -> "ENODEV (no such device)";
      case 28 -> "ENOSPC (no space left on device)";
      case 95 -> "EOPNOTSUPP (operation not supported)";
      default -> "errno " + errno;
    };
  }
}
