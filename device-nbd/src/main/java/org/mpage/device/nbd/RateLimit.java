package org.mpage.device.nbd;

/**
 * At most a number of log lines a second, as the kernel rate-limits its I/O error messages (a
 * server failing every request must not flood the log). Not thread-safe: one thread uses it.
 */
final class RateLimit {
  private final int perSecond;
  private long windowStart;
  private int inWindow;

  RateLimit(int perSecond) {
    this.perSecond = perSecond;
  }

  /** Whether one more line may be logged now. */
  boolean allow() {
    long now = System.nanoTime();
    if (now - windowStart > 1_000_000_000L) {
      windowStart = now;
      inWindow = 0;
    }
    return ++inWindow <= perSecond;
  }
}
