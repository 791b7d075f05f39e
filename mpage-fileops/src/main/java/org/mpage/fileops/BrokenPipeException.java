package org.mpage.fileops;

import java.io.IOException;

/**
 * The reader of the output has gone (EPIPE): a command ends quietly, as a process killed by SIGPIPE
 * does ({@link Errors#BROKEN_PIPE}).
 */
public final class BrokenPipeException extends IOException {
  private static final long serialVersionUID = 1L;

  public BrokenPipeException(IOException cause) {
    super("broken pipe", cause);
  }

  /** {@code e} as a broken pipe if it is one, else {@code e} itself. */
  public static IOException orElse(IOException e) {
    String m = e.getMessage();
    return m != null && m.contains("Broken pipe") ? new BrokenPipeException(e) : e;
  }
}
