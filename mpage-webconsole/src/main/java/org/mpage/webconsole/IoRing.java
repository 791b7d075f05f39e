package org.mpage.webconsole;

import java.util.ArrayList;
import java.util.List;
import org.mpage.api.block.BioOp;

/**
 * The last BIO events of every device, in a ring of fixed capacity: memory is allocated once, at
 * construction, and a new event overwrites the oldest. blktrace keeps everything; a live picture of
 * the last seconds needs only the newest, so the console can be left open for hours.
 *
 * <pre>
 *   slot:   0    1    2   ...  head-1  head  ...  capacity-1
 *          newer events ---------->|    |<- oldest (overwritten next)
 * </pre>
 *
 * <p>Thread safety: {@link #record} and {@link #since} lock the ring; a record is a few array
 * stores, so the submitting threads of the block layer wait for each other only that long.
 */
final class IoRing {
  /** One BIO: when (the ring's clock, nanoseconds), where, how much, and whether a write. */
  record Event(long nanos, String device, long sector, long sectors, boolean write) {}

  private final long[] nanos;
  private final String[] devices;
  private final long[] sectors;
  private final long[] lengths;
  private final boolean[] writes;
  private int head;
  private int size;

  IoRing(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("ring capacity must be positive: " + capacity);
    }
    nanos = new long[capacity];
    devices = new String[capacity];
    sectors = new long[capacity];
    lengths = new long[capacity];
    writes = new boolean[capacity];
  }

  int capacity() {
    return nanos.length;
  }

  /** How many events the ring holds: never more than its capacity. */
  synchronized int size() {
    return size;
  }

  /** Keeps a read or write BIO (flushes carry no sectors and are not drawn). */
  synchronized void record(long now, String device, BioOp op, long sector, long sectorCount) {
    if (op == BioOp.FLUSH) {
      return;
    }
    nanos[head] = now;
    devices[head] = device;
    sectors[head] = sector;
    lengths[head] = sectorCount;
    writes[head] = op == BioOp.WRITE;
    head = (head + 1) % nanos.length;
    if (size < nanos.length) {
      size++;
    }
  }

  /** The events at or after {@code fromNanos}, oldest first. */
  synchronized List<Event> since(long fromNanos) {
    List<Event> out = new ArrayList<>();
    int start = (head - size + nanos.length) % nanos.length;
    for (int i = 0; i < size; i++) {
      int k = (start + i) % nanos.length;
      if (nanos[k] - fromNanos >= 0) {
        out.add(new Event(nanos[k], devices[k], sectors[k], lengths[k], writes[k]));
      }
    }
    return out;
  }

  /** Forgets every event (capture switched off). */
  synchronized void clear() {
    size = 0;
    head = 0;
    java.util.Arrays.fill(devices, null);
  }
}
