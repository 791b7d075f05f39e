package org.mpage.webconsole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;

class IoRingTest {
  /** An hour of BIOs at 1,000 a second into a ring of 256: it never holds more. */
  @Test
  void record_anHourOfBios_neverGrowsBeyondItsCapacity() {
    IoRing ring = new IoRing(256);
    SplittableRandom random = new SplittableRandom(19);
    long second = 1_000_000_000L;
    for (long t = 0; t < 3600 * second; t += second / 1000) {
      BioOp op = random.nextInt(3) == 0 ? BioOp.WRITE : BioOp.READ;
      ring.record(t, random.nextBoolean() ? "ram0" : "disk0", op, random.nextLong(1 << 20), 8);
      if (t % (60 * second) == 0) {
        assertTrue(ring.size() <= 256, "size " + ring.size());
      }
    }
    assertEquals(256, ring.size());
    assertEquals(256, ring.capacity());
    List<IoRing.Event> all = ring.since(0);
    assertEquals(256, all.size());
    // the newest 256, oldest first
    long last = 3600 * second - second / 1000;
    assertEquals(last, all.get(255).nanos());
    assertEquals(last - 255 * (second / 1000), all.get(0).nanos());
  }

  @Test
  void since_keepsTheWindowAndTheKinds() {
    IoRing ring = new IoRing(8);
    ring.record(10, "ram0", BioOp.READ, 100, 8);
    ring.record(20, "ram0", BioOp.WRITE, 200, 16);
    ring.record(25, "ram0", BioOp.FLUSH, 0, 0);
    ring.record(30, "disk0", BioOp.READ, 300, 2);
    List<IoRing.Event> recent = ring.since(20);
    assertEquals(
        List.of(
            new IoRing.Event(20, "ram0", 200, 16, true),
            new IoRing.Event(30, "disk0", 300, 2, false)),
        recent);
    ring.clear();
    assertEquals(0, ring.size());
    assertTrue(ring.since(0).isEmpty());
  }
}
