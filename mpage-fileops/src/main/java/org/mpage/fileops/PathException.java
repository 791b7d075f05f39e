package org.mpage.fileops;

import java.io.IOException;

/**
 * An operational error about one path: shown as {@code mpage: <path>: <reason>} ({@link
 * Errors#line(IOException)}). The path is an image path or a host path, whichever the error is
 * about.
 */
public final class PathException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  public PathException(String path, String reason, Throwable cause) {
    super(path + ": " + reason, cause);
    this.path = path;
    this.reason = reason;
  }

  /** The path the error is about, as given (not escaped). */
  public String path() {
    return path;
  }

  /** What went wrong, without the path. */
  public String reason() {
    return reason;
  }
}
