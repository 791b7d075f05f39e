package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.page.Folio;
import org.mpage.core.MpageEngine;
import org.mpage.core.mpage.Revision;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.ramdisk.RamDisk;
import org.mpage.vfs.mount.MountTable;

/**
 * The mount table with ext2 on real file devices and e2fsprogs images, fed by hand the way the OSGi
 * component feeds it: identity taken at mount, swaps by name and ranking, wrong disks refused,
 * timeouts failing I/O (the shell commands on top: mpage-shell's ShellOnAMountTableTest).
 */
class Ext2MountTableTest {
  @TempDir Path work;
  private MpageEngine engine;
  private MountTable table;

  @BeforeEach
  void setUp() {
    engine = new MpageEngine(MpageEngine.Config.defaults().withCacheLimit(4096, 1024));
    table = new MountTable(engine, 2000);
    table.typeAdded(new Ext2FileSystemType());
  }

  @AfterEach
  void tearDown() {
    table.close();
    engine.close();
  }

  private Path image(String name) throws Exception {
    Path dir = Files.createDirectories(work.resolve(name + "-src"));
    Files.writeString(dir.resolve("hello.txt"), "hello from " + name + "\n");
    return E2fs.mkfs(work.resolve(name + ".img"), "8M", dir, "-b", "1024");
  }

  private static String read(FileSystem fs, String path) throws IOException {
    try (FileHandle h = fs.open(path)) {
      ByteBuffer b = ByteBuffer.allocate((int) h.size());
      h.read(0, b);
      return new String(b.array(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void mountsByNameReadsAndUnmounts() throws Exception {
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("disk0", image("a")));
    table.deviceAdded(dev, 0);
    assertEquals(DeviceInfo.SwapState.UNUSED, table.devices().get(0).state());
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    assertEquals("hello from a\n", read(fs, "/hello.txt"));
    assertEquals(DeviceInfo.SwapState.ACTIVE, table.devices().get(0).state());
    String uuid = E2fs.debugfs(work.resolve("a.img"), false, "stats");
    assertTrue(uuid.contains(table.mounts().get(0).identity()), "identity is the ext2 UUID");

    IOException twice =
        assertThrows(
            IOException.class, () -> table.mount("ext2", "disk0", MountOptions.defaultsReadOnly()));
    assertTrue(twice.getMessage().contains("already mounted"), twice.getMessage());
    assertTrue(
        assertThrows(
                IOException.class,
                () -> table.mount("xfs", "disk0", MountOptions.defaultsReadOnly()))
            .getMessage()
            .contains("unknown filesystem type xfs"));
    assertTrue(
        assertThrows(
                IOException.class,
                () -> table.mount("ext2", "nope", MountOptions.defaultsReadOnly()))
            .getMessage()
            .contains("no block device named nope"));

    table.unmount("disk0");
    assertTrue(table.mounts().isEmpty());
    assertEquals(DeviceInfo.SwapState.UNUSED, table.devices().get(0).state());
    dev.close();
    E2fs.run(java.util.List.of(E2fs.tool("e2fsck"), "-fn", work.resolve("a.img").toString()));
  }

  @Test
  void swapRefusesAWrongDiskAndResumesOnTheRightOne() throws Exception {
    Path a = image("a");
    Path b = image("b"); // same size, another UUID
    FileDevice first = FileDevice.open(FileDeviceConfig.of("disk0", a));
    table.deviceAdded(first, 0);
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());

    table.deviceRemoved(first);
    first.close();
    assertEquals(DeviceInfo.SwapState.SUSPENDED, table.devices().get(0).state());
    // A read that misses the cache waits for a backend.
    CompletableFuture<String> reader =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return read(fs, "/hello.txt");
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    FileDevice wrong = FileDevice.open(FileDeviceConfig.of("disk0", b));
    table.deviceAdded(wrong, 10);
    assertEquals(DeviceInfo.SwapState.SUSPENDED, table.devices().get(0).state(), "wrong UUID");
    FileDevice right = FileDevice.open(FileDeviceConfig.of("disk0", a));
    table.deviceAdded(right, 0);
    assertEquals(DeviceInfo.SwapState.ACTIVE, table.devices().get(0).state());
    assertEquals("hello from a\n", reader.get(10, TimeUnit.SECONDS));
    assertEquals(1, table.devices().get(0).swaps());
    assertEquals(2, table.devices().get(0).backends());
    table.unmount("disk0");
    right.close();
    wrong.close();
  }

  @Test
  void swapTimeoutFailsWaitingIoAndTheMountRecovers() throws Exception {
    Path a = image("a");
    FileDevice first = FileDevice.open(FileDeviceConfig.of("disk0", a));
    table.deviceAdded(first, 0);
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    FileHandle h = fs.openWrite("/new.bin", true, true, 0644);
    byte[] data = new byte[20000];
    java.util.Arrays.fill(data, (byte) 7);
    h.write(0, ByteBuffer.wrap(data));

    table.deviceRemoved(first);
    first.close();
    assertThrows(IOException.class, h::fsync, "fsync reports the failed writeback");
    assertEquals(DeviceInfo.SwapState.FAILED, table.devices().get(0).state());

    table.deviceAdded(FileDevice.open(FileDeviceConfig.of("disk0", a)), 0);
    assertEquals(DeviceInfo.SwapState.ACTIVE, table.devices().get(0).state());
    h.write(0, ByteBuffer.wrap(data));
    try {
      h.fsync();
    } catch (IOException e) {
      // A metadata write that failed during the outage is reported once, as errseq does.
      assertTrue(e.getMessage().contains("EIO"), e.getMessage());
    }
    h.fsync();
    h.close();
    assertEquals(20000, fs.stat("/new.bin").size());
    table.unmount("disk0");
    E2fs.run(java.util.List.of(E2fs.tool("e2fsck"), "-fn", a.toString()));
    Path out = work.resolve("out.bin");
    E2fs.debugfs(a, false, "dump /new.bin " + out);
    assertArrayEquals(data, Files.readAllBytes(out), "the data fsync acknowledged is on disk");
  }

  /**
   * The 5.x revision's rw_page fast path through the mount table: the filesystem sits on a
   * DeviceSlot over the RAM disk, and the slot must pass the disk's rw_page on (it once answered
   * the interface default, "none", and every page went through a BIO).
   */
  @Test
  void rwPageFastPathRunsThroughTheSlot() throws Exception {
    Path dir = Files.createDirectories(work.resolve("rw-src"));
    byte[] data = new byte[256 << 10];
    new Random(5).nextBytes(data);
    Files.write(dir.resolve("data.bin"), data);
    Path img = E2fs.mkfs(work.resolve("rw.img"), "8M", dir, "-b", "4096");
    byte[] bytes = Files.readAllBytes(img);
    RamDisk ram = new RamDisk("ram5", bytes.length);
    loadImage(ram, bytes);

    MpageEngine v5 =
        new MpageEngine(
            MpageEngine.Config.defaults().withCacheLimit(4096, 1024).withRevision(Revision.V5));
    MountTable t = new MountTable(v5, 2000);
    try {
      t.typeAdded(new Ext2FileSystemType());
      t.deviceAdded(ram, 0);
      FileSystem fs = t.mount("ext2", "ram5", MountOptions.defaultsReadOnly());
      try (FileHandle h = fs.open("/data.bin")) {
        ByteBuffer b = ByteBuffer.allocate(data.length);
        h.read(0, b);
        assertArrayEquals(data, b.array());
      }
      long rwPage = v5.statistics().get("rw_page.ios");
      assertTrue(rwPage > 0, "rw_page I/Os through the slot: " + v5.statistics());
      t.unmount("ram5");
    } finally {
      t.close();
      v5.close();
      ram.close();
    }
  }

  /** Writes an image onto a RAM disk a page per BIO, waiting for each. */
  private static void loadImage(RamDisk ram, byte[] bytes) throws Exception {
    for (int off = 0; off < bytes.length; off += Folio.PAGE_SIZE) {
      Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE));
      page.rawMemory().put(0, bytes, off, Folio.PAGE_SIZE);
      Bio bio = new Bio(ram, BioOp.WRITE, Set.of(), 1);
      bio.setSector(off / 512L);
      bio.addFolio(page, Folio.PAGE_SIZE, 0);
      CompletableFuture<BlockStatus> done = new CompletableFuture<>();
      bio.setEndIo(b -> done.complete(b.status()));
      ram.submit(bio);
      assertEquals(BlockStatus.OK, done.get(10, TimeUnit.SECONDS));
    }
  }
}
