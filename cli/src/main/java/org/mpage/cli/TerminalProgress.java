package org.mpage.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A progress bar on stderr for long copies, drawn only when stderr is a terminal (so scripts and
 * logs stay clean) and at most ten times a second.
 */
final class TerminalProgress implements org.mpage.fileops.Progress {
  private static final long MIN_BYTES = 8L << 20;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final boolean enabled;
  private final long start = System.nanoTime();
  private long lastDraw;

  TerminalProgress(PrintStream err, String label, long total, boolean terminal) {
    this.err = err;
    this.label = label;
    this.total = total;
    this.enabled = terminal && total >= MIN_BYTES;
  }

  /** Whether standard error is a terminal (Linux: /proc/self/fd/2 names a tty). */
  static boolean stderrIsTerminal() {
    return isTerminal(2);
  }

  /** Whether file descriptor {@code fd} is a terminal (Linux: /proc/self/fd/N names a tty). */
  static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void update(long done) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L && done < total) {
      return;
    }
    lastDraw = now;
    int width = 30;
    int filled = (int) (width * done / Math.max(1, total));
    double secs = Math.max(1e-9, (now - start) / 1e9);
    err.printf(
        Locale.ROOT,
        "\r%s [%s%s] %3d%% %.1f/%.1f MiB %.0f MiB/s",
        label,
        "#".repeat(filled),
        " ".repeat(width - filled),
        (int) (100 * done / Math.max(1, total)),
        done / 1048576.0,
        total / 1048576.0,
        done / 1048576.0 / secs);
    err.flush();
  }

  @Override
  public void finish() {
    if (enabled) {
      update(total);
      err.println();
    }
  }
}
