package org.mpage.device.ramdisk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.page.Folio;

class RamDiskTest {
  private static Folio page(int fill) {
    Folio f = new Folio(null, 0, ByteBuffer.allocateDirect(4096));
    for (int i = 0; i < 4096; i++) {
      f.rawMemory().put(i, (byte) fill);
    }
    return f;
  }

  /** Submits and returns the status; the RAM disk completes before submit returns. */
  private static BlockStatus io(
      RamDisk disk, BioOp op, long sector, Folio folio, int off, int len) {
    Bio bio = new Bio(disk, op, Set.of(), 1);
    bio.setSector(sector);
    bio.addFolio(folio, len, off);
    AtomicReference<BlockStatus> status = new AtomicReference<>();
    bio.setEndIo(b -> status.set(b.status()));
    disk.submit(bio);
    return status.get();
  }

  @Test
  void unwrittenSectorsReadAsZero_andUseNoMemory() {
    RamDisk disk = new RamDisk("rd", 1L << 30);
    Folio f = page(0x55);
    assertEquals(BlockStatus.OK, io(disk, BioOp.READ, 12345, f, 0, 4096));
    assertEquals(0, f.rawMemory().get(100));
    assertEquals(0, disk.allocatedBytes());
  }

  @Test
  void writesAcrossPageBoundaries_readBack() {
    RamDisk disk = new RamDisk("rd", 1 << 20);
    assertEquals(BlockStatus.OK, io(disk, BioOp.WRITE, 7, page(9), 512, 3072));
    Folio back = page(0);
    assertEquals(BlockStatus.OK, io(disk, BioOp.READ, 0, back, 0, 4096));
    assertEquals(0, back.rawMemory().get(7 * 512 - 1));
    assertEquals(9, back.rawMemory().get(7 * 512));
    Folio next = page(0);
    assertEquals(BlockStatus.OK, io(disk, BioOp.READ, 8, next, 0, 4096));
    assertEquals(9, next.rawMemory().get(3072 - 512 - 1));
    assertEquals(0, next.rawMemory().get(3072 - 512));
    assertEquals(2 * 4096, disk.allocatedBytes(), "only the two touched pages are allocated");
  }

  @Test
  void beyondTheEnd_ioError_afterClose_noDevice() {
    RamDisk disk = new RamDisk("rd", 8192);
    assertEquals(BlockStatus.IOERR, io(disk, BioOp.READ, 16, page(0), 0, 512));
    assertEquals(BlockStatus.IOERR, io(disk, BioOp.WRITE, 12, page(0), 0, 4096));
    disk.close();
    assertEquals(BlockStatus.NODEV, io(disk, BioOp.READ, 0, page(0), 0, 512));
    assertEquals(BlockStatus.NODEV, disk.rwPage(BioOp.READ, 0, page(0)));
  }

  @Test
  void rwPage_movesOneWholePageSynchronously() {
    RamDisk disk = new RamDisk("rd", 1 << 20);
    assertTrue(disk.hasRwPage());
    assertEquals(BlockStatus.OK, disk.rwPage(BioOp.WRITE, 8, page(3)));
    Folio back = page(0);
    assertEquals(BlockStatus.OK, disk.rwPage(BioOp.READ, 8, back));
    assertEquals(3, back.rawMemory().get(4095));
    assertEquals(BlockStatus.IOERR, disk.rwPage(BioOp.READ, 2047, back));
  }

  @Test
  void statistics_countLikeDiskstats() {
    RamDisk disk = new RamDisk("rd", 1 << 20);
    io(disk, BioOp.WRITE, 0, page(1), 0, 4096);
    io(disk, BioOp.READ, 0, page(1), 0, 1024);
    disk.rwPage(BioOp.READ, 0, page(0));
    DiskStats s = disk.stats();
    assertEquals(1, s.writesCompleted());
    assertEquals(8, s.sectorsWritten());
    assertEquals(2, s.readsCompleted());
    assertEquals(10, s.sectorsRead());
  }

  @Test
  void badSizes_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RamDisk("rd", 1000));
    assertThrows(IllegalArgumentException.class, () -> new RamDisk("rd", 0));
  }

  @Test
  void serviceLoader_opensARamDiskOfTheGivenSize() {
    BlockDeviceProvider p =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(x -> x.type().equals("ramdisk"))
            .findFirst()
            .orElseThrow();
    try (BlockDevice dev = assertDoesNotThrow(() -> p.open("r", Map.of("size", "64M")))) {
      assertEquals(64L << 20 >> 9, dev.capacitySectors());
    }
    assertThrows(IllegalArgumentException.class, () -> p.open("r", Map.of("size", "lots")));
    assertThrows(IllegalArgumentException.class, () -> p.open("r", Map.of()));
  }

  private static BlockDevice assertDoesNotThrow(ThrowingOpen open) {
    try {
      return open.open();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @FunctionalInterface
  private interface ThrowingOpen {
    BlockDevice open() throws Exception;
  }
}
