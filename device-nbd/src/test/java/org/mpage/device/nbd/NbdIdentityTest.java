package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.api.page.Folio;
import org.mpage.fs.ext2.E2fs;
import org.mpage.vfs.mount.MountTable;

/**
 * A reconnect goes through the slot's identity check (issue 18): qemu-nbd killed under an ext2
 * mounted through a {@link MountTable} (engine and filesystem type found with {@code
 * ServiceLoader}, no OSGi) and restarted on the same socket, same export name, serving another
 * mke2fs image of the same size: the device does not reconnect, reads fail with IOERR and the
 * foreign image is not changed by a byte. Restarted with the original image, the mount resumes, the
 * fsynced file is intact and e2fsck finds the image clean after the unmount.
 */
class NbdIdentityTest {
  @TempDir Path work;

  private static Bio write(NbdDevice dev, long sector) {
    Bio bio = new Bio(dev, BioOp.WRITE, Set.of(), 1);
    bio.setSector(sector);
    bio.addFolio(
        new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE)), Folio.PAGE_SIZE, 0);
    return bio;
  }

  private static void await(String what, java.util.function.BooleanSupplier ok, long millis)
      throws InterruptedException {
    long until = System.nanoTime() + millis * 1_000_000;
    while (!ok.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, what + " within " + millis + " ms");
      Thread.sleep(20);
    }
  }

  /** Kills the server and restarts it on its socket once {@code swap} has run. */
  private static void restart(NbdServer server, IoAction swap) throws Exception {
    server.kill();
    swap.run();
    Files.deleteIfExists(Path.of(server.uri().substring(server.uri().indexOf('=') + 1)));
    server.start();
  }

  private interface IoAction {
    void run() throws IOException;
  }

  @Test
  void anotherFilesystemUnderTheSameExport_isRefused_andTheOriginalResumes() throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    byte[][] files = new byte[3][];
    Random rnd = new Random(18);
    for (int i = 0; i < files.length; i++) {
      files[i] = new byte[150_000 + i];
      rnd.nextBytes(files[i]);
      Files.write(src.resolve("f" + i), files[i]);
    }
    byte[] fsynced = new byte[80_000];
    rnd.nextBytes(fsynced);
    Path image = E2fs.mkfs(work.resolve("disk.img"), "16M", src, "-b", "4096");
    Path foreign = E2fs.mkfs(work.resolve("foreign.img"), "16M", src, "-b", "4096");
    byte[] foreignBefore = Files.readAllBytes(foreign);
    Path aside = work.resolve("original.img");

    StorageEngine engine =
        ServiceLoader.load(StorageEngineFactory.class).findFirst().orElseThrow().create(Map.of());
    FileSystemType ext2 =
        ServiceLoader.load(FileSystemType.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(t -> t.name().equals("ext2"))
            .findFirst()
            .orElseThrow();
    NbdServer server = NbdServer.qemuNbdUnix(work, image, "raw");
    try (MountTable table = new MountTable(engine, 5_000)) {
      table.typeAdded(ext2);
      NbdDevice dev =
          NbdDevice.open(
              NbdDeviceConfig.of("nbd0", server.uri()).withTimeouts(5_000, 5_000, 1_000));
      table.deviceAdded(dev, 0);
      FileSystem fs = table.mount("ext2", "nbd0", MountOptions.defaultsReadWrite());
      assertArrayEquals(files[0], Ext2OnNbd.read(fs, "/f0"));
      try (FileHandle h = fs.openWrite("/fsynced", true, true, 0644)) {
        h.write(0, ByteBuffer.wrap(fsynced));
        h.fsync();
      }

      // The same export name on the same socket, another filesystem of the same size.
      restart(
          server,
          () -> {
            Files.move(image, aside);
            Files.move(foreign, image);
          });
      Thread.sleep(4_000); // reconnect attempts every 2 s at most: each is refused
      assertFalse(dev.isConnected(), "connected to the foreign filesystem");
      IOException e = assertThrows(IOException.class, () -> Ext2OnNbd.read(fs, "/f1"));
      assertTrue(String.valueOf(e.getMessage()).contains("IOERR"), "an I/O error: " + e);
      CompletableFuture<BlockStatus> w = new CompletableFuture<>();
      Bio bio = write(dev, 4096);
      bio.setEndIo(b -> w.complete(b.status()));
      dev.submit(bio);
      assertEquals(BlockStatus.IOERR, w.get(5, TimeUnit.SECONDS));

      // The original again: the mount resumes where it was.
      restart(
          server,
          () -> {
            Files.move(image, foreign);
            Files.move(aside, image);
          });
      assertArrayEquals(foreignBefore, Files.readAllBytes(foreign), "foreign image unchanged");
      await("reconnected to the original", dev::isConnected, 10_000);
      assertArrayEquals(files[1], Ext2OnNbd.read(fs, "/f1"));
      assertArrayEquals(files[2], Ext2OnNbd.read(fs, "/f2"));
      assertArrayEquals(fsynced, Ext2OnNbd.read(fs, "/fsynced"));
      table.unmount("nbd0");
      dev.close();
    } finally {
      server.close();
      engine.close();
    }
    Ext2OnNbd.fsckClean(image);
    E2fs.debugfs(image, false, "dump /fsynced " + work.resolve("fsynced.out"));
    assertArrayEquals(fsynced, Files.readAllBytes(work.resolve("fsynced.out")));
  }
}
