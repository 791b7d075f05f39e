package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.page.Folio;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.vfs.disk.DeviceSlot;

/**
 * A mounted ext2 on a {@link DeviceSlot} whose backend is swapped under load: acknowledged writes
 * survive, readers never see wrong bytes, a wrong disk is refused, and a swap that times out fails
 * pending I/O cleanly until the device returns.
 */
class Ext2HotSwapTest {
  @TempDir Path work;

  static byte[] uuidOf(BlockDevice dev) throws Exception {
    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(4096));
    Bio bio = new Bio(dev, BioOp.READ, Set.of(), 1);
    bio.setSector(2);
    bio.addFolio(page, 1024, 0);
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    if (!done.get(10, TimeUnit.SECONDS).isOk()) {
      throw new IOException("superblock read failed");
    }
    byte[] uuid = new byte[16];
    page.rawMemory().get(104, uuid);
    return uuid;
  }

  static byte[] content(int writer, int n) {
    byte[] b = new byte[3000 + (n % 7) * 4000];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (writer * 37 + n * 11 + i);
    }
    return b;
  }

  private static DeviceSlot slotOn(Path image, long timeoutMillis) throws Exception {
    FileDevice first = FileDevice.open(FileDeviceConfig.of("img", image));
    byte[] uuid = uuidOf(first);
    DeviceSlot slot = new DeviceSlot("disk0", first, timeoutMillis);
    slot.setIdentityCheck(
        d -> {
          try {
            return java.util.Arrays.equals(uuid, uuidOf(d));
          } catch (Exception e) {
            return false;
          }
        });
    return slot;
  }

  @Test
  void twentySwapsUnderLoad_acknowledgedWritesSurvive() throws Exception {
    Path image = E2fs.mkfs(work.resolve("swap.img"), "64M", null, "-b", "4096");
    DeviceSlot slot = slotOn(image, 10_000);
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    BlockDevice[] backend = new BlockDevice[1];
    AtomicBoolean stop = new AtomicBoolean();
    List<String> problems = new ArrayList<>();
    try (Mounted m = Mounted.on(slot, Map.of(), 128, false)) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        tasks.add(
            pool.submit(
                () -> {
                  for (int n = 0; !stop.get(); n++) {
                    String path = "/w" + writer + "-" + n;
                    byte[] data = content(writer, n);
                    try (FileHandle f = m.fs.openWrite(path, true, true, 0644)) {
                      f.write(0, ByteBuffer.wrap(data));
                      f.fsync();
                    }
                    acknowledged.put(path, data);
                  }
                  return null;
                }));
      }
      tasks.add(
          pool.submit(
              () -> {
                while (!stop.get()) {
                  for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
                    // Acknowledged files are never written again: they must read back exactly.
                    byte[] seen = Ext2ReadTest.readAll(m.fs, e.getKey());
                    if (!java.util.Arrays.equals(seen, e.getValue())) {
                      synchronized (problems) {
                        problems.add("wrong bytes in " + e.getKey());
                      }
                    }
                  }
                }
                return null;
              }));
      for (int swap = 0; swap < 20; swap++) {
        Thread.sleep(40); // let I/O pile up between swaps
        BlockDevice old = slot.detach();
        old.close();
        assertTrue(slot.attach(FileDevice.open(FileDeviceConfig.of("img", image))), "swap " + swap);
      }
      stop.set(true);
      for (Future<?> t : tasks) {
        t.get(120, TimeUnit.SECONDS); // a hang fails here
      }
      pool.shutdown();
      assertEquals(20, slot.swaps());
      backend[0] = slot.backend();
    }
    backend[0].close();
    assertEquals(List.of(), problems);
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image)) {
      for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
        assertArrayEquals(e.getValue(), Ext2ReadTest.readAll(m.fs, e.getKey()), e.getKey());
      }
    }
    assertFalse(acknowledged.isEmpty());
  }

  @Test
  void wrongDisk_isRefused_rightOneResumes() throws Exception {
    Path image = E2fs.mkfs(work.resolve("a.img"), "16M", null, "-b", "1024");
    Path other = E2fs.mkfs(work.resolve("b.img"), "16M", null, "-b", "1024");
    DeviceSlot slot = slotOn(image, 10_000);
    BlockDevice last;
    try (Mounted m = Mounted.on(slot, Map.of(), 128, false)) {
      slot.detach().close();
      FileDevice wrong = FileDevice.open(FileDeviceConfig.of("other", other));
      assertFalse(slot.attach(wrong), "a disk with another UUID is refused");
      wrong.close();
      assertEquals(DeviceSlot.State.SUSPENDED, slot.state());
      assertTrue(slot.attach(FileDevice.open(FileDeviceConfig.of("img", image))));
      m.fs.mkdir("/after", 0755);
      last = slot.backend();
    }
    last.close();
    Ext2RandomOpsTest.fsck(image);
  }

  @Test
  void swapTimeout_failsPendingIoCleanly_andTheMountRecovers() throws Exception {
    Path image = E2fs.mkfs(work.resolve("t.img"), "16M", null, "-b", "1024");
    DeviceSlot slot = slotOn(image, 300);
    BlockDevice last;
    try (Mounted m = Mounted.on(slot, Map.of(), 128, false)) {
      try (FileHandle f = m.fs.openWrite("/safe", true, true, 0644)) {
        f.write(
            0,
            ByteBuffer.wrap("acknowledged".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        f.fsync();
      }
      // Created before the outage: a creation needs its inode table block, which a failed device
      // cannot give unless it is cached (then the creation fails, before any entry names it).
      FileHandle f = m.fs.openWrite("/lost", true, true, 0644);
      slot.detach().close();
      f.write(0, ByteBuffer.allocate(50_000));
      long t0 = System.nanoTime();
      assertThrows(IOException.class, f::fsync, "nothing is reported written that was not");
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "fails in bounded time");
      assertEquals(DeviceSlot.State.FAILED, slot.state());
      assertTrue(slot.attach(FileDevice.open(FileDeviceConfig.of("img", image))));
      f.write(0, ByteBuffer.allocate(50_000));
      try {
        f.fsync();
      } catch (IOException e) {
        // A metadata write that failed during the outage is reported once by the next sync.
        assertTrue(e.getMessage().contains("EIO"), e.getMessage());
      }
      f.fsync(); // the device is back: the file is written and synced again
      f.close();
      last = slot.backend();
    }
    last.close();
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image)) {
      assertEquals(
          "acknowledged",
          new String(
              Ext2ReadTest.readAll(m.fs, "/safe"), java.nio.charset.StandardCharsets.US_ASCII));
    }
  }
}
