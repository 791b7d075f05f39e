package org.mpage.api.block;

/**
 * A snapshot of a device's counters, with the fields of a {@code /proc/diskstats} line that make
 * sense here. Times are in milliseconds; {@code queueTimeMs} is the time BIOs waited in the
 * device's queue before a worker took them.
 */
public record DiskStats(
    long readsCompleted,
    long readsMerged,
    long sectorsRead,
    long readTimeMs,
    long writesCompleted,
    long writesMerged,
    long sectorsWritten,
    long writeTimeMs,
    long inFlight,
    long queueTimeMs,
    long flushesCompleted) {

  /** All zero. */
  public static final DiskStats ZERO = new DiskStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** {@code /proc/diskstats} style: name followed by the counters, space separated. */
  public String format(String name) {
    return name
        + " "
        + readsCompleted
        + " "
        + readsMerged
        + " "
        + sectorsRead
        + " "
        + readTimeMs
        + " "
        + writesCompleted
        + " "
        + writesMerged
        + " "
        + sectorsWritten
        + " "
        + writeTimeMs
        + " "
        + inFlight
        + " "
        + queueTimeMs
        + " "
        + flushesCompleted;
  }
}
