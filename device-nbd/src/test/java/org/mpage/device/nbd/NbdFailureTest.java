package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.fs.ext2.E2fs;

/**
 * What fails and how: a server killed under a mounted filesystem (in-flight and later BIOs fail
 * within bounds, the device reconnects when the server is back), errors injected by nbdkit's error
 * filter, and the handshake's refusals (connection refused, no such export).
 */
class NbdFailureTest {
  @TempDir Path work;

  private static Bio bio(BlockDevice dev, BioOp op, long sector) {
    Bio b = new Bio(dev, op, Set.of(), 1);
    b.setSector(sector);
    b.addFolio(new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE)), Folio.PAGE_SIZE, 0);
    return b;
  }

  private static CompletableFuture<BlockStatus> submit(BlockDevice dev, Bio bio) {
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    return done;
  }

  private static void await(String what, java.util.function.BooleanSupplier ok, long millis)
      throws InterruptedException {
    long until = System.nanoTime() + millis * 1_000_000;
    while (!ok.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, what + " within " + millis + " ms");
      Thread.sleep(10);
    }
  }

  @Test
  void serverKilledUnderAMount_failsWithinBounds_andReadsWorkAfterItsRestart_fsyncedDataKept()
      throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    byte[][] files = new byte[4][];
    Random rnd = new Random(5);
    for (int i = 0; i < files.length; i++) {
      files[i] = new byte[200_000 + i];
      rnd.nextBytes(files[i]);
      Files.write(src.resolve("f" + i), files[i]);
    }
    byte[] fsynced = new byte[100_000];
    rnd.nextBytes(fsynced);
    Path image = E2fs.mkfs(work.resolve("disk.img"), "16M", src, "-b", "4096");
    NbdServer server = NbdServer.qemuNbdUnix(work, image, "raw");
    try {
      NbdDevice dev =
          NbdDevice.open(
              NbdDeviceConfig.of("nbd0", server.uri()).withTimeouts(5_000, 5_000, 1_000));
      try (Ext2OnNbd m = Ext2OnNbd.mount(dev, false)) {
        assertArrayEquals(files[0], m.read("/f0"));
        try (org.mpage.api.fs.FileHandle h = m.fs.openWrite("/fsynced", true, true, 0644)) {
          h.write(0, ByteBuffer.wrap(fsynced));
          h.fsync();
        }
        server.kill();

        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> m.read("/f1"));
        long first = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(first < 5_000, "the first read failed after " + first + " ms: " + e);
        assertTrue(String.valueOf(e.getMessage()).contains("IOERR"), "an I/O error: " + e);

        // Past reconnect.wait.ms, BIOs fail at once.
        Thread.sleep(1_100);
        t0 = System.nanoTime();
        assertEquals(
            BlockStatus.IOERR, submit(dev, bio(dev, BioOp.READ, 64)).get(2, TimeUnit.SECONDS));
        long later = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(later < 500, "a later BIO failed after " + later + " ms");

        Files.deleteIfExists(Path.of(server.uri().substring(server.uri().indexOf('=') + 1)));
        server.start();
        await("reconnected", dev::isConnected, 10_000);
        assertArrayEquals(files[1], m.read("/f1"));
        assertArrayEquals(files[2], m.read("/f2"));
      }
    } finally {
      server.close();
    }
    // What was fsynced before the kill is on the server's file, which is clean.
    Ext2OnNbd.fsckClean(image);
    E2fs.debugfs(image, false, "dump /fsynced " + work.resolve("fsynced.out"));
    assertArrayEquals(fsynced, Files.readAllBytes(work.resolve("fsynced.out")));
  }

  @Test
  void hungServer_endsTheConnectionAfterTheIoTimeout_andTheDeviceReconnects() throws Exception {
    Path img = NbdServer.sparse(work.resolve("hang.img"), 4 << 20);
    try (NbdServer server = NbdServer.qemuNbdUnix(work, img, "raw");
        NbdDevice dev =
            NbdDevice.open(
                NbdDeviceConfig.of("nbd0", server.uri()).withTimeouts(5_000, 1_000, 500))) {
      assertEquals(BlockStatus.OK, submit(dev, bio(dev, BioOp.READ, 0)).get(5, TimeUnit.SECONDS));
      server.signal("STOP");
      long t0 = System.nanoTime();
      CompletableFuture<BlockStatus> hung = submit(dev, bio(dev, BioOp.READ, 8));
      assertEquals(BlockStatus.IOERR, hung.get(10, TimeUnit.SECONDS));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= 900 && ms < 3_000, "the hung read failed after " + ms + " ms");
      server.signal("CONT");
      await("reconnected", dev::isConnected, 10_000);
      assertEquals(BlockStatus.OK, submit(dev, bio(dev, BioOp.READ, 16)).get(5, TimeUnit.SECONDS));
    }
  }

  @Test
  void serverKilledWithABioInFlight_failsItWithIoerr() throws Exception {
    // nbdkit's delay filter holds each read for 3 s: the read is surely in flight at the kill.
    NbdServer server = NbdServer.nbdkit(work, "--filter=delay", "memory", "16M", "rdelay=3");
    try (NbdDevice dev =
        NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri()).withTimeouts(5_000, 20_000, 500))) {
      CompletableFuture<BlockStatus> inFlight = submit(dev, bio(dev, BioOp.READ, 0));
      Thread.sleep(300);
      assertTrue(!inFlight.isDone(), "still in flight");
      long t0 = System.nanoTime();
      server.kill();
      assertEquals(BlockStatus.IOERR, inFlight.get(5, TimeUnit.SECONDS));
      assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "failed at once");
    } finally {
      server.close();
    }
  }

  @Test
  void nbdkitErrorFilter_injectedErrorsReachTheReader() throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    byte[] data = new byte[100_000];
    new Random(9).nextBytes(data);
    Files.write(src.resolve("data"), data);
    Path image = E2fs.mkfs(work.resolve("disk.img"), "8M", src, "-b", "1024");
    Path trigger = work.resolve("inject");
    try (NbdServer server =
            NbdServer.nbdkit(
                work,
                "--filter=error",
                "file",
                image.toString(),
                "error=EIO",
                "error-pread-rate=100%",
                "error-pread-file=" + trigger);
        Ext2OnNbd m =
            Ext2OnNbd.mount(NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri())), true)) {
      Files.createFile(trigger);
      IOException e = assertThrows(IOException.class, () -> m.read("/data"));
      assertTrue(String.valueOf(e.getMessage()).contains("IOERR"), e.toString());
      Files.delete(trigger);
      assertArrayEquals(data, m.read("/data"), "read again once the errors stop");
    }
  }

  /**
   * A write error injected by nbdkit's error filter reaches fsync, once: the fsync that wrote the
   * failed pages fails, the next one does not repeat it, and once the errors stop the file is
   * written again and reads back.
   */
  @Test
  void nbdkitErrorFilter_aWriteErrorReachesFsyncOnce() throws Exception {
    Path src = Files.createDirectories(work.resolve("wsrc"));
    Path image = E2fs.mkfs(work.resolve("wdisk.img"), "8M", src, "-b", "1024");
    Path trigger = work.resolve("inject-write");
    byte[] data = new byte[64 << 10];
    new Random(11).nextBytes(data);
    try (NbdServer server =
            NbdServer.nbdkit(
                work,
                "--filter=error",
                "file",
                image.toString(),
                "error=EIO",
                "error-pwrite-rate=100%",
                "error-pwrite-file=" + trigger);
        Ext2OnNbd m =
            Ext2OnNbd.mount(NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri())), false)) {
      try (org.mpage.api.fs.FileHandle h = m.fs.openWrite("/f", true, true, 0644)) {
        h.write(0, ByteBuffer.wrap(data));
        Files.createFile(trigger);
        IOException e = assertThrows(IOException.class, h::fsync);
        assertTrue(String.valueOf(e).contains("IO"), e.toString());
        Files.delete(trigger);
        h.fsync(); // reported once, not again
        h.write(0, ByteBuffer.wrap(data));
        h.fsync();
      }
      assertArrayEquals(data, m.read("/f"));
    }
    Ext2OnNbd.fsckClean(image); // the metadata kept for retry was written once the errors stopped
  }

  @Test
  void connectionRefused_saysSo() throws Exception {
    int port = NbdServer.freePort();
    IOException e =
        assertThrows(
            IOException.class,
            () -> NbdDevice.open(NbdDeviceConfig.of("nbd0", "nbd://127.0.0.1:" + port + "/x")));
    assertEquals("connection refused", e.getMessage());
    IOException unix =
        assertThrows(
            IOException.class,
            () ->
                NbdDevice.open(
                    NbdDeviceConfig.of(
                        "nbd0", "nbd+unix:///x?socket=" + work.resolve("missing.sock"))));
    assertEquals("no such socket " + work.resolve("missing.sock"), unix.getMessage());
  }

  @Test
  void unknownExport_saysSo() throws Exception {
    Path img = NbdServer.sparse(work.resolve("disk.img"), 1 << 20);
    try (NbdServer server = NbdServer.qemuNbdUnix(work, img, "raw")) {
      String uri = server.uri().replace("///disk", "///nope");
      IOException e =
          assertThrows(IOException.class, () -> NbdDevice.open(NbdDeviceConfig.of("nbd0", uri)));
      assertTrue(e.getMessage().startsWith("no such export 'nope'"), e.getMessage());
    }
  }
}
