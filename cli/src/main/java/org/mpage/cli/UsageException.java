package org.mpage.cli;

/** The command line is wrong: exit status 2 and the usage text. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
