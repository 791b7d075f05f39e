package org.mpage.cli;

import java.io.IOException;

/** Standard output's reader has gone (EPIPE): the command ends quietly. */
final class BrokenPipe extends IOException {
  private static final long serialVersionUID = 1L;

  BrokenPipe(IOException cause) {
    super("broken pipe", cause);
  }

  /** {@code e} as a broken pipe if it is one, else {@code e} itself. */
  static IOException orElse(IOException e) {
    String m = e.getMessage();
    return m != null && m.contains("Broken pipe") ? new BrokenPipe(e) : e;
  }
}
