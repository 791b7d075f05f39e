package org.mpage.core.pagecache;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An error sequence counter: the kernel's {@code errseq_t} (lib/errseq.c, 4.13+). One int holds the
 * last errno (low 12 bits), a "seen" flag and a counter above them. Each observer keeps a sample
 * and learns of every error recorded after it, once, however many observers there are.
 *
 * <p>The counter only moves when an error is recorded after the previous one was seen, so an error
 * nobody has looked at yet is not counted twice.
 */
public final class Errseq {
  private static final int MAX_ERRNO = (1 << 12) - 1;
  private static final int SEEN = 1 << 12;
  private static final int CTR_INC = 1 << 13;

  private final AtomicInteger value = new AtomicInteger();

  /** Records {@code errno} (positive, e.g. 5 for EIO): the kernel's {@code errseq_set}. */
  public int set(int errno) {
    if (errno <= 0 || errno > MAX_ERRNO) {
      throw new IllegalArgumentException("errno out of range: " + errno);
    }
    while (true) {
      int old = value.get();
      int next = (old & ~(MAX_ERRNO | SEEN)) | errno;
      if ((old & SEEN) != 0) {
        next += CTR_INC;
      }
      if (next == old || value.compareAndSet(old, next)) {
        return next;
      }
    }
  }

  /**
   * A starting point for a new observer: the kernel's {@code errseq_sample}. An error that nobody
   * has seen yet samples as 0, so the new observer will still report it.
   */
  public int sample() {
    int old = value.get();
    return (old & SEEN) == 0 ? 0 : old;
  }

  /** Whether an error was recorded since {@code since}: the kernel's {@code errseq_check}. */
  public int check(int since) {
    int cur = value.get();
    return cur == since ? 0 : cur & MAX_ERRNO;
  }

  /**
   * Reports an error recorded since the observer's sample, once, and moves the sample forward: the
   * kernel's {@code errseq_check_and_advance}. Returns the errno or 0.
   */
  public int checkAndAdvance(int[] since) {
    int old = value.get();
    if (old == since[0]) {
      return 0;
    }
    int next = old | SEEN;
    if (next != old) {
      value.compareAndSet(old, next);
    }
    since[0] = next;
    return next & MAX_ERRNO;
  }
}
