package org.mpage.webconsole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioListener;
import org.mpage.api.block.BioOp;

class CaptureTest {
  private final List<BioListener> registered = new ArrayList<>();
  private final IoRing ring = new IoRing(16);
  private final Capture capture =
      new Capture(
          ring,
          l -> {
            registered.add(l);
            return () -> registered.remove(l);
          },
          30);

  @Test
  void touch_registersOnce_andExpireUnregistersAfterTheCaptureTime() {
    assertFalse(capture.capturing());
    capture.touch(100);
    capture.touch(110);
    assertEquals(1, registered.size(), "one listener service however often the page polls");
    registered.get(0).dispatched("ram0", BioOp.WRITE, 8, 8);
    assertEquals(1, ring.size());
    capture.expire(140);
    assertTrue(capture.capturing(), "30 after the last poll (110), not the first");
    capture.expire(141);
    assertFalse(capture.capturing());
    assertTrue(registered.isEmpty(), "off when nobody looks: the engine traces nothing");
    assertEquals(0, ring.size(), "and the ring is forgotten");
  }
}
