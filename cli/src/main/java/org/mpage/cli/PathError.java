package org.mpage.cli;

import java.io.IOException;

/** An operational error about one path: printed as {@code mpage: <path>: <reason>}. */
final class PathError extends IOException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  PathError(String path, String reason, Throwable cause) {
    super(path + ": " + reason, cause);
    this.path = path;
    this.reason = reason;
  }

  String path() {
    return path;
  }

  String reason() {
    return reason;
  }
}
