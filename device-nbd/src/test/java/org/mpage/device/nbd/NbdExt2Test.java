package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.page.Folio;
import org.mpage.fs.ext2.E2fs;

/**
 * mke2fs images exported by real servers, mounted read-write through mpage, changed by a seeded
 * random workload; afterwards e2fsck finds the server's file clean and debugfs reads back the
 * model's bytes. Also qcow2 through qemu-nbd and a read-only export.
 */
class NbdExt2Test {
  @TempDir Path work;

  private void randomWorkload(NbdServer server, Path image, long seed) throws Exception {
    Path model = Files.createDirectory(work.resolve("model"));
    try (server;
        Ext2OnNbd m =
            Ext2OnNbd.mount(NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri())), false)) {
      m.randomOperations(model, seed, 400);
    }
    Ext2OnNbd.fsckClean(image);
    Ext2OnNbd.compareWithDebugfs(image, model, work);
  }

  @Test
  void nbdServer_randomOperations_leaveACleanImageEqualToTheModel() throws Exception {
    Path image = E2fs.mkfs(work.resolve("disk.img"), "32M", null, "-b", "1024");
    randomWorkload(NbdServer.nbdServer(work, image), image, 181);
  }

  @Test
  void qemuNbd_randomOperations_leaveACleanImageEqualToTheModel() throws Exception {
    Path image = E2fs.mkfs(work.resolve("disk.img"), "32M", null, "-b", "4096");
    randomWorkload(NbdServer.qemuNbdUnix(work, image, "raw"), image, 182);
  }

  @Test
  void qcow2_isMountedReadAndWritten() throws Exception {
    NbdServer.assumeInstalled("qemu-img", "qemu-utils");
    Path src = Files.createDirectories(work.resolve("src/d"));
    byte[] big = new byte[300_000];
    new Random(7).nextBytes(big);
    Files.write(src.resolve("big.bin"), big);
    Files.writeString(src.resolve("hello.txt"), "hello over qcow2\n");
    Path raw = E2fs.mkfs(work.resolve("disk.img"), "16M", work.resolve("src"), "-b", "2048");
    Path qcow2 = work.resolve("disk.qcow2");
    E2fs.run(
        List.of(
            NbdServer.find("qemu-img"),
            "convert",
            "-f",
            "raw",
            "-O",
            "qcow2",
            raw.toString(),
            qcow2.toString()));
    try (NbdServer server = NbdServer.qemuNbdUnix(work, qcow2, "qcow2");
        Ext2OnNbd m =
            Ext2OnNbd.mount(NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri())), false)) {
      assertArrayEquals(big, m.read("/d/big.bin"));
      assertEquals(
          "hello over qcow2\n", new String(m.read("/d/hello.txt"), StandardCharsets.UTF_8));
      try (FileHandle h = m.fs.openWrite("/d/new.txt", true, true, 0644)) {
        h.write(0, ByteBuffer.wrap("written into qcow2\n".getBytes(StandardCharsets.UTF_8)));
        h.fsync();
      }
    }
    Path back = work.resolve("back.img");
    E2fs.run(
        List.of(
            NbdServer.find("qemu-img"),
            "convert",
            "-f",
            "qcow2",
            "-O",
            "raw",
            qcow2.toString(),
            back.toString()));
    Ext2OnNbd.fsckClean(back);
    String cat = E2fs.debugfs(back, false, "cat /d/new.txt");
    assertTrue(cat.endsWith("\nwritten into qcow2\n"), cat);
  }

  @Test
  void readOnlyExport_refusesWritersAndServesReaders() throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    Files.writeString(src.resolve("f.txt"), "read only\n");
    Path image = E2fs.mkfs(work.resolve("disk.img"), "8M", src, "-b", "1024");
    byte[] before = Files.readAllBytes(image);
    try (NbdServer server = NbdServer.qemuNbdUnix(work, image, "raw", "-r")) {
      IOException e =
          assertThrows(
              IOException.class, () -> NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri())));
      assertEquals("the export 'disk' is read-only", e.getMessage());

      NbdDevice dev = NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri()).withReadOnly(true));
      try (Ext2OnNbd m = Ext2OnNbd.mount(dev, true)) {
        assertEquals("read only\n", new String(m.read("/f.txt"), StandardCharsets.UTF_8));
        assertThrows(IOException.class, () -> m.fs.mkdir("/x", 0755));
        Bio w = new Bio(dev, BioOp.WRITE, Set.of(), 1);
        w.addFolio(
            new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE)), Folio.PAGE_SIZE, 0);
        CompletableFuture<BlockStatus> done = new CompletableFuture<>();
        w.setEndIo(b -> done.complete(b.status()));
        dev.submit(w);
        assertEquals(BlockStatus.IOERR, done.get(10, TimeUnit.SECONDS));
      }
    }
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(image)), "image unchanged");
  }
}
