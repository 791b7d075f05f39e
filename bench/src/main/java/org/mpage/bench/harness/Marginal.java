package org.mpage.bench.harness;

/**
 * The share of a whole process's time that grows with the file: the time on a big file less the
 * time on a small one, so start-up, mount and unmount drop out, expressed per GiB.
 */
final class Marginal {
  static final long GIB = 1L << 30;

  private Marginal() {}

  /**
   * Nanoseconds per GiB: (median of {@code bigNanos} - median of {@code smallNanos}) spread over
   * the bytes between the two files and scaled to a GiB. NaN when that difference is not positive
   * (noise larger than the work), so that no ratio is drawn from it.
   */
  static double nanosPerGib(long[] bigNanos, long[] smallNanos, long bigBytes, long smallBytes) {
    if (bigBytes <= smallBytes) {
      throw new IllegalArgumentException("the big file must be bigger than the small one");
    }
    double extra = Report.median(bigNanos) - Report.median(smallNanos);
    return extra > 0 ? extra * GIB / (bigBytes - smallBytes) : Double.NaN;
  }

  /** Baseline time over mpage time, or NaN when either is not a positive number. */
  static double ratio(double baselineNanos, double mpageNanos) {
    return baselineNanos > 0 && mpageNanos > 0 ? baselineNanos / mpageNanos : Double.NaN;
  }
}
