package org.mpage.fileops;

import java.io.PrintStream;

/**
 * A {@link Reporter} that prints each failure and skipped entry as one line {@code mpage: <path>:
 * <reason>} ({@link Errors#line(String, String)}) and counts the failures.
 */
public final class PrintingReporter implements Reporter {
  private final PrintStream err;
  private int failures;

  public PrintingReporter(PrintStream err) {
    this.err = err;
  }

  @Override
  public void failed(String path, String reason) {
    failures++;
    err.println(Errors.line(path, reason));
  }

  @Override
  public void skipped(String path, String what) {
    err.println(Errors.line(path, "skipped (" + what + ")"));
  }

  /** How many entries failed so far: any makes a command's exit status 1. */
  public int failures() {
    return failures;
  }
}
