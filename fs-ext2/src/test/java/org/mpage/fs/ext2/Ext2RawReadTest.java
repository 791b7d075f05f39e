package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.core.MpageEngine;
import org.mpage.core.block.BioTracer;
import org.mpage.device.ramdisk.RamDisk;

/**
 * The reads ext2 makes past every cache (the superblock at mount, a device's identity) go through
 * the engine's block layer ({@code StorageEngine.submitBioWait}): the engine counts them and its
 * tracer sees them, as it sees every other BIO.
 */
class Ext2RawReadTest {
  /** The primary superblock: 1024 bytes at byte 1024, sector 2. */
  private static final long SUPER_SECTOR = 2;

  private final RamDisk dev = new RamDisk("ram0", 8 << 20);
  private MpageEngine engine;
  private final List<String> queued = new CopyOnWriteArrayList<>();

  @BeforeEach
  void formatAndTrace() throws Exception {
    try (MpageEngine mkfs =
        new MpageEngine(MpageEngine.Config.defaults().withFlusher(false, 1000, 1000))) {
      new Ext2FileSystemType().format(dev, mkfs, Map.of("block.size", "4096"));
    }
    engine = new MpageEngine(MpageEngine.Config.defaults().withFlusher(false, 1000, 1000));
    engine.setTracer(
        (action, bio) -> {
          if (action == BioTracer.Action.QUEUE && bio.op() == BioOp.READ) {
            queued.add(bio.bdev().name() + " " + bio.sector() + "+" + bio.size());
          }
        });
  }

  @AfterEach
  void close() {
    engine.close();
    dev.close();
  }

  private long readBios() {
    return engine.statistics().get("bios.read");
  }

  @Test
  void identity_isOneReadCountedAndTracedByTheEngine() throws Exception {
    long before = readBios();
    Optional<String> id = new Ext2FileSystemType().identity(dev, engine);
    assertEquals(1, readBios() - before, "bios.read counts the superblock read");
    assertEquals(List.of("ram0 " + SUPER_SECTOR + "+1024"), queued);
    try (FileSystem fs =
        new Ext2FileSystemType().mount(dev, engine, new MountOptions(true, Map.of()))) {
      assertEquals(Optional.of(fs.info().uuid()), id);
    }
  }

  @Test
  void mount_readsTheSuperblockThroughTheEngine() throws Exception {
    try (FileSystem fs =
        new Ext2FileSystemType().mount(dev, engine, new MountOptions(true, Map.of()))) {
      // With 4 KiB blocks the buffer cache reads whole blocks from sector 8 on (descriptors,
      // bitmaps, inode table): only the raw superblock read is 1024 bytes at sector 2.
      assertTrue(
          queued.contains("ram0 " + SUPER_SECTOR + "+1024"), "superblock read traced: " + queued);
      assertEquals(queued.size(), readBios(), "every read the tracer saw is counted");
      assertEquals(
          readBios(),
          engine.statistics().get("bios.read.meta"),
          "a mount reads metadata only, the superblock (flagged META) included");
      assertEquals("ext2", fs.info().type());
    }
  }
}
