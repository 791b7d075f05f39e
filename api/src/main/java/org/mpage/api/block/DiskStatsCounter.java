package org.mpage.api.block;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters behind a {@link DiskStats} snapshot, for backends to share: completed I/O by
 * operation with sectors and service time, I/O in flight, time spent queued. Thread-safe.
 */
public final class DiskStatsCounter {
  private final LongAdder reads = new LongAdder();
  private final LongAdder sectorsRead = new LongAdder();
  private final LongAdder readNanos = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder sectorsWritten = new LongAdder();
  private final LongAdder writeNanos = new LongAdder();
  private final LongAdder queueNanos = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final AtomicLong inFlight = new AtomicLong();

  /** An I/O was accepted by the backend. */
  public void start() {
    inFlight.incrementAndGet();
  }

  /** An accepted I/O left the backend (however it ended). */
  public void finish() {
    inFlight.decrementAndGet();
  }

  /** Time an I/O waited before the backend started it. */
  public void queued(long nanos) {
    queueNanos.add(nanos);
  }

  /** A completed I/O of {@code sectors} sectors that took {@code nanos}. */
  public void completed(BioOp op, long sectors, long nanos) {
    switch (op) {
      case READ -> {
        reads.increment();
        sectorsRead.add(sectors);
        readNanos.add(nanos);
      }
      case WRITE -> {
        writes.increment();
        sectorsWritten.add(sectors);
        writeNanos.add(nanos);
      }
      case FLUSH -> flushes.increment();
    }
  }

  /** The counters now. Merges happen in the engine's plug, so devices report none. */
  public DiskStats snapshot() {
    return new DiskStats(
        reads.sum(),
        0,
        sectorsRead.sum(),
        readNanos.sum() / 1_000_000,
        writes.sum(),
        0,
        sectorsWritten.sum(),
        writeNanos.sum() / 1_000_000,
        inFlight.get(),
        queueNanos.sum() / 1_000_000,
        flushes.sum());
  }
}
