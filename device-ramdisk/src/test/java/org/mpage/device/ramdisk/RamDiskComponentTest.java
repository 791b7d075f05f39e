package org.mpage.device.ramdisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;

class RamDiskComponentTest {
  @Test
  void component_isARamDiskOfTheConfiguredSize_untilDeactivated() {
    RamDiskComponent c = new RamDiskComponent("ram1", "2M");
    assertEquals("ram1", c.name());
    assertEquals(4096, c.capacitySectors());
    c.deactivate();
    Bio bio = new Bio(c, BioOp.READ, Set.of(), 1);
    bio.addFolio(new Folio(null, 0, ByteBuffer.allocateDirect(4096)), 4096, 0);
    AtomicReference<BlockStatus> status = new AtomicReference<>();
    bio.setEndIo(b -> status.set(b.status()));
    c.submit(bio);
    assertEquals(BlockStatus.NODEV, status.get());
  }

  @Test
  void badConfiguration_failsActivationWithAMessage() {
    assertThrows(IllegalArgumentException.class, () -> new RamDiskComponent("", "2M"));
    assertThrows(IllegalArgumentException.class, () -> new RamDiskComponent("r", "big"));
  }
}
