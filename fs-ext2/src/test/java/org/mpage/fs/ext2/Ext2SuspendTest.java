package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.vfs.mount.MountTable;

/**
 * {@code Mounts.suspend} and {@code resume} on ext2 over a file device, with e2fsprogs reading the
 * image while it is held: what was written before the suspend is on the image and consistent, the
 * image does not change while held however much is written, and everything written meanwhile lands
 * at the resume. Also the per-device page cache counters (a mount's share of the engine's).
 */
class Ext2SuspendTest {
  @TempDir Path work;
  private MpageEngine engine;
  private MountTable table;
  private FileDevice device;
  private Path image;

  @BeforeEach
  void setUp() throws Exception {
    engine = new MpageEngine(MpageEngine.Config.defaults().withCacheLimit(4096, 1024));
    table = new MountTable(engine, 2000);
    table.typeAdded(new Ext2FileSystemType());
    Path dir = Files.createDirectories(work.resolve("src"));
    Files.writeString(dir.resolve("hello.txt"), "hello\n");
    image = E2fs.mkfs(work.resolve("disk.img"), "8M", dir, "-b", "1024");
    device = FileDevice.open(FileDeviceConfig.of("disk0", image));
    table.deviceAdded(device, 0);
  }

  @AfterEach
  void tearDown() {
    table.close();
    engine.close();
    device.close();
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void write(FileSystem fs, String path, byte[] data) throws IOException {
    try (FileHandle h = fs.openWrite(path, true, true, 0644)) {
      h.write(0, ByteBuffer.wrap(data));
    }
  }

  private static String hello(FileSystem fs) throws IOException {
    try (FileHandle h = fs.open("/hello.txt")) {
      ByteBuffer b = ByteBuffer.allocate(6);
      h.read(0, b);
      return new String(b.array(), StandardCharsets.US_ASCII);
    }
  }

  private String digest() throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(image)));
  }

  private DeviceInfo.SwapState state() {
    return table.devices().get(0).state();
  }

  @Test
  void heldImageIsConsistentAndUnchangedAndTheWritesLandAtResume() throws Exception {
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    assertEquals("hello\n", hello(fs)); // cached now, to be read while held
    byte[] before = bytes(300_000, 1);
    write(fs, "/before.bin", before); // dirty in the page cache, not synced

    table.suspend("disk0");
    assertEquals(DeviceInfo.SwapState.HELD, state());
    // The suspend synced: e2fsprogs finds the file whole on a consistent image.
    E2fs.fsckClean(image);
    Path out = work.resolve("before.out");
    E2fs.debugfs(image, false, "dump /before.bin " + out);
    assertArrayEquals(before, Files.readAllBytes(out));

    String held = digest();
    byte[] during = bytes(200_000, 2);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (FileHandle h = fs.openWrite("/during.bin", true, true, 0644)) {
                h.write(0, ByteBuffer.wrap(during));
                h.fsync();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    Thread.sleep(500);
    assertFalse(writer.isDone(), "an fsync waits for the resume");
    assertTrue(table.devices().get(0).waitingBios() > 0, "its BIOs wait in the slot");
    // What is cached is still served.
    assertEquals("hello\n", hello(fs));
    assertEquals(held, digest(), "nothing reached the image while held");

    assertMessage("suspended; resume it first", () -> table.unmount("disk0"));
    assertMessage("suspended already", () -> table.suspend("disk0"));
    assertEquals(DeviceInfo.SwapState.HELD, state(), "a refused unmount left it held");

    table.resume("disk0");
    writer.get(10, TimeUnit.SECONDS);
    assertEquals(DeviceInfo.SwapState.ACTIVE, state());
    assertEquals(0, table.devices().get(0).waitingBios());
    assertMessage("not suspended", () -> table.resume("disk0"));

    table.unmount("disk0");
    E2fs.fsckClean(image);
    E2fs.debugfs(image, false, "dump /during.bin " + out);
    assertArrayEquals(during, Files.readAllBytes(out), "the write made while held landed");
  }

  @Test
  void aBackendThatLeavesWhileHeldIsReplacedAndNothingIsLost() throws Exception {
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    byte[] data = bytes(120_000, 5);
    table.suspend("disk0");
    // Written and fsync'd while held, from another thread: even the write's bitmap reads wait.
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (FileHandle h = fs.openWrite("/swap.bin", true, true, 0644)) {
                h.write(0, ByteBuffer.wrap(data));
                h.fsync();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    // The backend vanishes while held, and the same image comes back under the name.
    table.deviceRemoved(device);
    device.close();
    assertEquals(DeviceInfo.SwapState.SUSPENDED, state());
    device = FileDevice.open(FileDeviceConfig.of("disk0", image));
    table.deviceAdded(device, 0);
    Thread.sleep(300);
    assertFalse(writer.isDone(), "attached, but still held: the writer waits for the resume");
    assertEquals(DeviceInfo.SwapState.HELD, state());
    table.resume("disk0");
    writer.get(10, TimeUnit.SECONDS);
    table.unmount("disk0");
    E2fs.fsckClean(image);
    Path out = work.resolve("swap.out");
    E2fs.debugfs(image, false, "dump /swap.bin " + out);
    assertArrayEquals(data, Files.readAllBytes(out), "the fsync'd data crossed the swap");
  }

  @Test
  void refusedWhereItCannotApply() throws Exception {
    assertMessage("disk0: not mounted", () -> table.suspend("disk0"));
    assertMessage("disk0: not mounted", () -> table.resume("disk0"));
    table.mount("ext2", "disk0", MountOptions.defaultsReadOnly());
    assertMessage("disk0: not suspended", () -> table.resume("disk0"));
    table.suspend("disk0"); // a read-only mount holds too (for a copy of its backend)
    assertEquals(DeviceInfo.SwapState.HELD, state());
    assertMessage("suspended; resume it first", () -> table.migrate("disk0", "disk1"));
    table.resume("disk0");
    table.unmount("disk0");
  }

  @Test
  void closingTheTableResumesAHeldDeviceRatherThanHang() throws Exception {
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    byte[] data = bytes(50_000, 3);
    write(fs, "/late.bin", data);
    table.suspend("disk0");
    // The unmount writes the superblock (state clean): held, that BIO would wait for ever.
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> table.close());
    assertTrue(table.mounts().isEmpty());
    E2fs.fsckClean(image);
    Path out = work.resolve("late.out");
    E2fs.debugfs(image, false, "dump /late.bin " + out);
    assertArrayEquals(data, Files.readAllBytes(out));
  }

  @Test
  void cacheCountersArePerDevice() throws Exception {
    Path dir = Files.createDirectories(work.resolve("src1"));
    byte[] data = bytes(64 << 10, 4);
    Files.write(dir.resolve("data.bin"), data);
    Path other = E2fs.mkfs(work.resolve("other.img"), "8M", dir, "-b", "1024");
    try (FileDevice second = FileDevice.open(FileDeviceConfig.of("disk1", other))) {
      table.deviceAdded(second, 0);
      FileSystem fs0 = table.mount("ext2", "disk0", MountOptions.defaultsReadOnly());
      FileSystem fs1 = table.mount("ext2", "disk1", MountOptions.defaultsReadOnly());
      for (int i = 0; i < 3; i++) {
        try (FileHandle h = fs1.open("/data.bin")) {
          ByteBuffer b = ByteBuffer.allocate(data.length);
          h.read(0, b);
          assertTrue(Arrays.equals(data, b.array()));
        }
      }
      try (FileHandle h = fs0.open("/hello.txt")) {
        h.read(0, ByteBuffer.allocate(6));
      }
      Map<String, Long> d0 = engine.statistics("disk0");
      Map<String, Long> d1 = engine.statistics("disk1");
      Map<String, Long> all = engine.statistics();
      // hello.txt: one page, missed once. data.bin: 16 pages looked up three times; only the
      // first read misses, and readahead turns most of its lookups into hits.
      assertEquals(1, d0.get("cache.misses"), d0.toString());
      assertEquals(0, d0.get("cache.hits"), d0.toString());
      assertEquals(48, d1.get("cache.hits") + d1.get("cache.misses"), d1.toString());
      assertTrue(d1.get("cache.misses") >= 1 && d1.get("cache.misses") <= 16, d1.toString());
      assertEquals(d0.get("cache.hits") + d1.get("cache.hits"), all.get("cache.hits"));
      assertEquals(d0.get("cache.misses") + d1.get("cache.misses"), all.get("cache.misses"));
      assertEquals(Map.of(), engine.statistics("disk9"));
      table.unmount("disk1");
      table.deviceRemoved(second);
    }
  }

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable e) {
    IOException x = assertThrows(IOException.class, e);
    assertTrue(x.getMessage().contains(part), x.getMessage());
  }
}
