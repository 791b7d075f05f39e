package org.mpage.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The file device bundle is stopped and started 20 times under a mounted, busy ext2: writers that
 * fsync and readers that check every byte keep running. Every write fsync acknowledged reads back
 * intact afterwards (and e2fsck finds the image clean), no reader sees wrong bytes, no thread
 * hangs, and no I/O fails because the device always returns within the swap timeout.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HotSwapIT {
  private static final int SWAPS = 20;
  private static final int WRITERS = 2;
  private static final int READERS = 2;
  private static final int STATIC_FILES = 8;

  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  static byte[] content(int seed, int n, int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (seed * 131 + n * 17 + i * 7 + (i >> 9));
    }
    return b;
  }

  static byte[] readAll(FileSystem fs, String path) throws IOException {
    try (FileHandle h = fs.open(path)) {
      ByteBuffer b = ByteBuffer.allocate((int) h.size());
      while (b.hasRemaining()) {
        if (h.read(b.position(), b) <= 0) {
          break;
        }
      }
      return b.array();
    }
  }

  private static int waiting(Services s) {
    try {
      return s.device("disk0").waitingBios();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  @Test
  public void deviceBundleRestartedTwentyTimesUnderLoad() throws Exception {
    Services s = new Services(context);
    Path work = Files.createTempDirectory("mpage-hotswap");
    Path src = Files.createDirectories(work.resolve("src"));
    Map<String, byte[]> statics = new ConcurrentHashMap<>();
    for (int i = 0; i < STATIC_FILES; i++) {
      byte[] b = content(99, i, 150_000 + i * 10_000);
      Files.write(src.resolve("s" + i), b);
      statics.put("/s" + i, b);
    }
    Path image = E2fsprogs.mkfs(work.resolve("disk.img"), "64M", src);

    // A small page cache, so that reads keep going to the device across the swaps.
    s.configure("org.mpage.core.engine", Map.of("cache.pages", 256L));
    Await.until(
        "the engine reconfigured",
        () -> s.exists(org.mpage.api.fs.StorageEngine.class, "(cache.pages=256)"));
    s.create("org.mpage.device.file", Map.of("device.name", "disk0", "path", image.toString()));
    s.awaitDevice("disk0", DeviceInfo.SwapState.UNUSED);
    Mounts mounts = s.mounts();
    FileSystem fs = mounts.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    for (int w = 0; w < WRITERS; w++) {
      fs.mkdir("/w" + w, 0755);
    }

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ops = new AtomicLong();
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    List<String> problems = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      threads.add(
          new Thread(
              () -> {
                for (int n = 0; !stop.get(); n++) {
                  String path = "/w" + writer + "/f" + (n % 12);
                  byte[] data = content(writer, n, 3000 + (n % 9) * 7000);
                  try (FileHandle h = fs.openWrite(path, true, true, 0644)) {
                    ByteBuffer b = ByteBuffer.wrap(data);
                    while (b.hasRemaining()) {
                      h.write(b.position(), b);
                    }
                    h.fsync();
                    acknowledged.put(path, data);
                    ops.incrementAndGet();
                  } catch (IOException | RuntimeException e) {
                    problems.add("writer " + writer + " " + path + ": " + e);
                    return;
                  }
                }
              },
              "writer-" + w));
    }
    for (int r = 0; r < READERS; r++) {
      int reader = r;
      threads.add(
          new Thread(
              () -> {
                for (int n = 0; !stop.get(); n++) {
                  String path = "/s" + ((n + reader) % STATIC_FILES);
                  try {
                    if (!java.util.Arrays.equals(statics.get(path), readAll(fs, path))) {
                      problems.add("reader " + reader + " saw wrong bytes in " + path);
                      return;
                    }
                    ops.incrementAndGet();
                  } catch (IOException | RuntimeException e) {
                    problems.add("reader " + reader + " " + path + ": " + e);
                    return;
                  }
                }
              },
              "reader-" + r));
    }
    threads.forEach(Thread::start);

    Bundle device = s.bundle("org.mpage.device.file");
    int suspendedWithWaiters = 0;
    for (int i = 0; i < SWAPS && problems.isEmpty(); i++) {
      long before = ops.get();
      Await.until("the load to make progress", 60, () -> ops.get() >= before + 4);
      device.stop();
      assertEquals(DeviceInfo.SwapState.SUSPENDED, s.device("disk0").state());
      // Give I/O the chance to queue on the suspended slot before the device returns.
      if (Await.atMost(2000, () -> waiting(s) > 0)) {
        suspendedWithWaiters++;
      }
      device.start();
      s.awaitDevice("disk0", DeviceInfo.SwapState.ACTIVE);
    }
    long swaps = s.device("disk0").swaps();
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
      assertFalse(t.getName() + " hangs", t.isAlive());
    }
    System.out.printf(
        "hot swap: %d swaps, %d with I/O waiting, %d operations, %d files acknowledged%n",
        swaps, suspendedWithWaiters, ops.get(), acknowledged.size());
    assertEquals(List.of(), problems);
    assertEquals(SWAPS, swaps);
    assertTrue(
        "I/O waited on the suspended device in " + suspendedWithWaiters + " swaps",
        suspendedWithWaiters > 0);
    assertTrue("writes were acknowledged", acknowledged.size() >= WRITERS);

    mounts.unmount("disk0");
    E2fsprogs.fsck(image);
    FileSystem again = mounts.mount("ext2", "disk0", MountOptions.defaultsReadOnly());
    for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
      assertArrayEquals(e.getKey(), e.getValue(), readAll(again, e.getKey()));
    }
    mounts.unmount("disk0");
  }
}
