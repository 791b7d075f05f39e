package org.mpage.vfs.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.device.ramdisk.RamDisk;

/** Backends coming and going under named slots. */
class DeviceRegistryTest {
  /** One disk offered by several "bundles": separate service objects over the same storage. */
  static final class Offered implements BlockDevice {
    private final RamDisk disk;

    Offered(RamDisk disk) {
      this.disk = disk;
    }

    @Override
    public String name() {
      return disk.name();
    }

    @Override
    public long capacitySectors() {
      return disk.capacitySectors();
    }

    @Override
    public void submit(Bio bio) {
      disk.submit(bio);
    }
  }

  private static CompletableFuture<BlockStatus> io(BlockDevice dev, BioOp op, byte value) {
    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(4096));
    page.rawMemory().put(0, value);
    Bio bio = new Bio(dev, op, Set.of(), 1);
    bio.addFolio(page, 4096, 0);
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    return done;
  }

  @Test
  void removal_suspendsIo_andAReturningBackendResumesIt() throws Exception {
    RamDisk disk = new RamDisk("d0", 1 << 20);
    try (DeviceRegistry reg = new DeviceRegistry(10_000)) {
      Offered first = new Offered(disk);
      reg.deviceAdded(first, 0);
      DeviceSlot slot = reg.slot("d0");
      assertEquals(BlockStatus.OK, io(slot, BioOp.WRITE, (byte) 7).get(5, TimeUnit.SECONDS));
      reg.deviceRemoved(first);
      assertEquals(DeviceSlot.State.SUSPENDED, slot.state());
      CompletableFuture<BlockStatus> pending = io(slot, BioOp.READ, (byte) 0);
      assertEquals(1, slot.waitingBios());
      Offered second = new Offered(disk);
      reg.deviceAdded(second, 0);
      assertEquals(BlockStatus.OK, pending.get(5, TimeUnit.SECONDS));
      assertSame(second, slot.backend());
      assertEquals(List.of("d0"), reg.names());
    }
  }

  @Test
  void higherRanking_takesOver_andTheNextBestStandsIn() throws Exception {
    RamDisk disk = new RamDisk("d1", 1 << 20);
    try (DeviceRegistry reg = new DeviceRegistry(10_000)) {
      Offered low = new Offered(disk);
      Offered high = new Offered(disk);
      reg.deviceAdded(low, 0);
      DeviceSlot slot = reg.slot("d1");
      reg.deviceAdded(high, 10);
      assertSame(high, slot.backend());
      reg.deviceRemoved(high);
      assertSame(low, slot.backend(), "the remaining backend stands in at once");
      reg.deviceRemoved(low);
      assertNull(slot.backend());
    }
  }

  @Test
  void unknownName_isAClearError() {
    try (DeviceRegistry reg = new DeviceRegistry(1000)) {
      IOException e = assertThrows(IOException.class, () -> reg.slot("nope"));
      assertEquals("no block device named nope", e.getMessage());
    }
  }
}
