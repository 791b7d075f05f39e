package org.mpage.fileops;

/**
 * Where an operation on many entries (a recursive copy or removal, a listing) reports the entries
 * it could not handle. Such a failure does not end the operation: the walk goes on, and the
 * front-end ends with a failure status ({@link PrintingReporter} counts them).
 */
public interface Reporter {
  /** One entry failed; the operation goes on. */
  void failed(String path, String reason);

  /**
   * One entry was left alone on purpose, not an error: a device node, a FIFO or a socket, which a
   * copy does not make. {@code what} says why, as {@code not a regular file, directory or symlink}.
   */
  void skipped(String path, String what);
}
