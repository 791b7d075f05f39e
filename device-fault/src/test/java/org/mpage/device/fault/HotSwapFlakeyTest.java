package org.mpage.device.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.page.Folio;
import org.mpage.api.page.WritebackException;
import org.mpage.core.MpageEngine;
import org.mpage.device.fault.Images.Mounted;
import org.mpage.device.file.FileDevice;
import org.mpage.fs.ext2.Ext2FileSystemType;
import org.mpage.vfs.disk.DeviceSlot;

/**
 * Hot swap and dm-flakey together, under load (issue 15). ext2 is mounted on a {@link DeviceSlot}
 * whose backend is a flakey device failing writes ({@code error-writes}, intervals in BIOs) over
 * the image file. Writer threads create files, write them and fsync, with the engine's flusher
 * writing back in the background, while the backend is swapped several times: suspend, release the
 * old flakey device and its file device, wait a little with BIOs queueing in the slot, attach a new
 * flakey device (new intervals) over the same image, which the slot checks by the superblock's
 * UUID.
 *
 * <p>A write is acknowledged when its file's fsync succeeded; a writer whose fsync fails writes the
 * whole file again and fsyncs again, up to four times. What must hold:
 *
 * <ul>
 *   <li>Every data write error reaches the writer: a second handle on the file, opened before the
 *       writes, fails its fsync too (errseq: each open file sees the error once).
 *   <li>Acknowledged means on the device: a copy of the image taken when the writers have stopped,
 *       before anything else is written (a crash), repaired by {@code e2fsck -fy}, holds every
 *       acknowledged file exactly.
 *   <li>With a healthy backend attached last, the unmount succeeds, {@code e2fsck -fn} finds the
 *       image clean and every acknowledged file reads back exactly after a new mount.
 *   <li>Nothing hangs: each writer must end within a bound after it was told to stop.
 * </ul>
 *
 * <p>Only error modes are used. A flakey device that drops writes ({@code drop-writes}) completes
 * them as done without doing them: a device that lies, under which no fsync can mean anything;
 * FlakeyDeviceTest shows that case alone.
 *
 * <p>Seeded: {@code -Dswap.seed=N}; the seed is printed first.
 */
class HotSwapFlakeyTest {
  private static final int WRITERS = 3;

  /** Swaps at least; more while a writer is still at work. */
  private static final int SWAPS = 20;

  private static final int ATTEMPTS = 4;

  /** At most 300 files of at most 96 KiB each per writer: the 128 MiB image never fills up. */
  private static final int FILES_PER_WRITER = 300;

  @TempDir Path dir;

  /** The backend attached now: a flakey device and the file device under it. */
  private record Backend(FlakeyDevice flakey, FileDevice file) {
    void close() {
      flakey.close();
      file.close();
    }
  }

  /** What the writers did. */
  private static final class Tally {
    final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    final AtomicLong fsyncErrors = new AtomicLong();
    final AtomicLong dataErrors = new AtomicLong();
    final AtomicLong givenUp = new AtomicLong();
    final List<String> silent = new ArrayList<>();

    synchronized void silent(String what) {
      silent.add(what);
    }
  }

  @Test
  void writersFsyncWhileTheFlakeyBackendIsSwapped_noAcknowledgedWriteIsLost() throws Exception {
    long seed = Long.getLong("swap.seed", 20260902L);
    System.out.println("HotSwapFlakeyTest seed " + seed);
    Random rnd = new Random(seed);
    Path image = Images.mkfs(dir.resolve("swap.img"), "128M");
    byte[] uuid;
    try (FileDevice f = Images.file(image)) {
      uuid = uuidOf(f);
    }
    long faults = 0;
    Backend current = backend(image, rnd, 0);
    DeviceSlot slot = new DeviceSlot("disk0", current.flakey(), 60_000);
    slot.setIdentityCheck(d -> Arrays.equals(uuid, uuidOrNull(d)));
    MpageEngine engine =
        new MpageEngine(
            MpageEngine.Config.defaults().withReadAheadKb(64).withFlusher(true, 50, 50));
    FileSystem fs = new Ext2FileSystemType().mount(slot, engine, new MountOptions(false, Map.of()));
    Tally tally = new Tally();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      Random own = new Random(seed * 31 + w);
      writers.add(pool.submit(() -> write(fs, writer, own, stop, tally)));
    }
    int swaps = 0;
    // At least SWAPS swaps, and on until every writer has written its files: always under load.
    for (int s = 1; s <= SWAPS || writers.stream().anyMatch(f -> !f.isDone()); s++) {
      swaps = s;
      Thread.sleep(30 + rnd.nextInt(120)); // pacing only: let writes and fsyncs pile up
      BlockDevice old = slot.detach();
      assertTrue(old == current.flakey(), "swap " + s + ": the slot released its backend");
      faults += current.flakey().faulted();
      current.close();
      Thread.sleep(rnd.nextInt(60)); // suspended: new BIOs wait in the slot
      current = backend(image, rnd, s);
      assertTrue(slot.attach(current.flakey()), "swap " + s + ": the same disk is accepted");
    }
    stop.set(true);
    for (Future<?> f : writers) {
      try {
        f.get(180, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("a writer hangs (seed " + seed + ")");
      }
    }
    pool.shutdown();

    // A crash now: what the device holds, and nothing more, must hold every acknowledged file.
    slot.detach(); // waits for what is in flight
    faults += current.flakey().faulted();
    current.close();
    Path crash = dir.resolve("crash.img");
    Files.copy(image, crash);

    // Then a healthy disk: the unmount writes what was kept for retry, and must succeed.
    FileDevice healthy = Images.file(image);
    assertTrue(slot.attach(healthy));
    try {
      fs.close();
    } finally {
      engine.close();
      slot.close();
      healthy.close();
    }

    System.out.printf(
        "HotSwapFlakeyTest: %d swaps, %d BIOs failed by flakey, %d files acknowledged,"
            + " %d fsync errors (%d data), %d files given up after %d attempts%n",
        slot.swaps(),
        faults,
        tally.acknowledged.size(),
        tally.fsyncErrors.get(),
        tally.dataErrors.get(),
        tally.givenUp.get(),
        ATTEMPTS);
    assertEquals(List.of(), tally.silent, "errors a second open file did not see");
    assertEquals(swaps + 1, slot.swaps());
    assertTrue(faults > 0, "flakey failed no write: the test tested nothing");
    assertTrue(tally.fsyncErrors.get() > 0, "no writer saw an error");
    assertFalse(tally.acknowledged.isEmpty(), "nothing was acknowledged");

    Images.fsck(image);
    assertAcknowledgedReadBack(image, tally, "after a clean unmount");
    String repair = fsckRepair(crash);
    System.out.println("HotSwapFlakeyTest: the crash copy, e2fsck -fy " + repair);
    assertAcknowledgedReadBack(crash, tally, "at the crash point (e2fsck -fy: " + repair + ")");
  }

  /**
   * One writer: a file at a time, written in pieces and fsynced, written again whole and fsynced
   * again after an error, up to {@link #ATTEMPTS} times.
   */
  private static Void write(FileSystem fs, int writer, Random rnd, AtomicBoolean stop, Tally tally)
      throws IOException {
    for (int n = 0; !stop.get() && n < FILES_PER_WRITER; n++) {
      String path = "/w" + writer + "-" + n;
      byte[] data = Images.pattern(1 + rnd.nextInt(96 << 10), writer * 100_000 + n);
      try (FileHandle file = fs.openWrite(path, true, true, 0644);
          FileHandle witness = fs.openWrite(path, false, false, 0644)) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
          try {
            writeInPieces(file, data, rnd);
            file.fsync();
            tally.acknowledged.put(path, data);
            break;
          } catch (WritebackException e) {
            // A data page failed: every file open on it must hear of it, once each.
            tally.fsyncErrors.incrementAndGet();
            tally.dataErrors.incrementAndGet();
            if (fsyncSucceeds(witness)) {
              tally.silent(path + ": " + e.getMessage());
            }
          } catch (IOException e) {
            tally.fsyncErrors.incrementAndGet(); // metadata or the flush: retried the same way
          }
          if (attempt == ATTEMPTS) {
            tally.givenUp.incrementAndGet();
          }
        }
      }
    }
    return null;
  }

  private static boolean fsyncSucceeds(FileHandle h) {
    try {
      h.fsync();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void writeInPieces(FileHandle h, byte[] data, Random rnd) throws IOException {
    int pos = 0;
    while (pos < data.length) {
      int len = Math.min(data.length - pos, 1 + rnd.nextInt(48 << 10));
      // A short write is allowed (the next one would report why); it is written on from there.
      int n = h.write(pos, ByteBuffer.wrap(data, pos, len));
      assertTrue(n > 0, "a write of " + len + " bytes wrote " + n);
      pos += n;
    }
  }

  /** A flakey device (error-writes, up 5..44 and down 1..6 BIOs with data) over the image. */
  private static Backend backend(Path image, Random rnd, int generation) throws IOException {
    FileDevice file = Images.file(image);
    Map<String, String> options =
        Map.of(
            "mode", "error-writes",
            "up.bios", Integer.toString(5 + rnd.nextInt(40)),
            "down.bios", Integer.toString(1 + rnd.nextInt(6)));
    return new Backend(new FlakeyDevice("flakey" + generation, file, options), file);
  }

  private static void assertAcknowledgedReadBack(Path image, Tally tally, String when)
      throws IOException {
    try (FileDevice f = Images.file(image);
        Mounted m = Mounted.on(f, 0)) {
      for (Map.Entry<String, byte[]> e : tally.acknowledged.entrySet()) {
        byte[] seen;
        try (FileHandle h = m.fs().open(e.getKey())) {
          seen = new byte[(int) h.size()];
          ByteBuffer buf = ByteBuffer.wrap(seen);
          while (buf.hasRemaining() && h.read(buf.position(), buf) > 0) {
            // reads until the end
          }
        } catch (IOException ex) {
          throw new AssertionError(e.getKey() + " acknowledged, unreadable " + when, ex);
        }
        assertArrayEquals(e.getValue(), seen, e.getKey() + " acknowledged, differs " + when);
      }
    }
  }

  /** {@code e2fsck -fy}: exit 0 or 1 (repaired); returns what it said in one line. */
  private static String fsckRepair(Path image) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(Images.tool("e2fsck"), "-fy", image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "e2fsck hangs");
    assertTrue(p.exitValue() <= 1, "e2fsck -fy exit " + p.exitValue() + ":\n" + out);
    return "exit " + p.exitValue();
  }

  private static byte[] uuidOf(BlockDevice dev) throws Exception {
    Folio page = Raw.page((byte) 0);
    if (Raw.io(dev, BioOp.READ, 2, page) != BlockStatus.OK) {
      throw new IOException("superblock read failed on " + dev);
    }
    byte[] uuid = new byte[16];
    page.rawMemory().get(104, uuid);
    return uuid;
  }

  private static byte[] uuidOrNull(BlockDevice dev) {
    try {
      return uuidOf(dev);
    } catch (Exception e) {
      return null;
    }
  }
}
