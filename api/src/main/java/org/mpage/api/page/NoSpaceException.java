package org.mpage.api.page;

import java.io.IOException;

/** The filesystem or device has no free blocks or inodes left: ENOSPC. */
public class NoSpaceException extends IOException {
  private static final long serialVersionUID = 1L;

  public NoSpaceException(String message) {
    super(message);
  }
}
