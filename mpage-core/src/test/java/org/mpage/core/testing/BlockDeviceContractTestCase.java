package org.mpage.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.page.Folio;

/**
 * The {@link BlockDevice} contract, once for every backend (in the spirit of Lucene's
 * BaseDirectoryTestCase): a subclass says how to make a device and every test here runs on it. What
 * is checked is what the engine relies on: bounds fail a BIO instead of throwing, a closed device
 * answers NODEV, flushes and their flags complete after the writes they cover, concurrent BIOs land
 * exactly, the diskstats move by what was submitted, and BIOs of partial pages and several segments
 * move exactly their bytes.
 */
public abstract class BlockDeviceContractTestCase {
  /** Capacity of the device each test gets. */
  protected static final long CAPACITY = 4L << 20;

  private BlockDevice dev;

  /** A new, zeroed device of {@code capacityBytes}; the test closes it. */
  protected abstract BlockDevice newDevice(long capacityBytes) throws Exception;

  /** Releases what {@link #newDevice} made beyond the device (files, backends under a slot). */
  protected void cleanUp() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    dev = newDevice(CAPACITY);
  }

  @AfterEach
  void close() throws Exception {
    dev.close();
    cleanUp();
  }

  /** A page of direct memory aligned to the page, as the page cache's arena hands them out. */
  protected static Folio page() {
    ByteBuffer mem =
        ByteBuffer.allocateDirect(2 * Folio.PAGE_SIZE)
            .alignedSlice(Folio.PAGE_SIZE)
            .limit(Folio.PAGE_SIZE)
            .slice();
    return new Folio(null, 0, mem);
  }

  private static Folio page(byte[] content, int from) {
    Folio f = page();
    f.rawMemory().put(0, content, from, Folio.PAGE_SIZE);
    return f;
  }

  private Bio bio(BioOp op, Set<BioFlag> flags, long sector, List<Folio> pages) {
    Bio bio = new Bio(dev, op, flags, Math.max(1, pages.size()));
    bio.setSector(sector);
    for (Folio p : pages) {
      bio.addFolio(p, Folio.PAGE_SIZE, 0);
    }
    return bio;
  }

  private CompletableFuture<BlockStatus> submit(Bio bio) {
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    return done;
  }

  private BlockStatus io(Bio bio) throws Exception {
    return submit(bio).get(30, TimeUnit.SECONDS);
  }

  private byte[] readBack(long offset, int n) throws Exception {
    return DeviceIo.read(dev, offset, n);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void capacityIsWhatWasAskedFor() {
    assertEquals(CAPACITY / BlockDevice.SECTOR_SIZE, dev.capacitySectors());
    assertTrue(dev.logicalBlockSize() >= BlockDevice.SECTOR_SIZE);
    assertEquals(0, dev.logicalBlockSize() % BlockDevice.SECTOR_SIZE);
  }

  @Test
  void bioAtOrPastCapacityFailsWithIoerrAndNeverThrows() throws Exception {
    long end = dev.capacitySectors();
    for (long sector : new long[] {end, end + 8, Long.MAX_VALUE / 1024}) {
      for (BioOp op : List.of(BioOp.READ, BioOp.WRITE)) {
        assertEquals(
            BlockStatus.IOERR, io(bio(op, Set.of(), sector, List.of(page()))), op + "@" + sector);
      }
    }
    // The device is still usable afterwards.
    assertEquals(BlockStatus.OK, io(bio(BioOp.READ, Set.of(), end - 8, List.of(page()))));
  }

  @Test
  void closedDeviceAnswersNodev() throws Exception {
    dev.close();
    for (BioOp op : BioOp.values()) {
      Bio bio = new Bio(dev, op, Set.of(), 1);
      if (op != BioOp.FLUSH) {
        bio.addFolio(page(), Folio.PAGE_SIZE, 0);
      }
      assertEquals(BlockStatus.NODEV, io(bio), op.toString());
    }
    dev.close(); // idempotent
  }

  /**
   * A FLUSH submitted after writes completes after them, and writes with PREFLUSH and FUA complete
   * and read back. (Durability itself is not observable here; the order of completions is.)
   */
  @Test
  void flushCompletesAfterTheWritesBeforeIt() throws Exception {
    byte[] data = random(64 * Folio.PAGE_SIZE, 1);
    List<CompletableFuture<BlockStatus>> writes = new ArrayList<>();
    List<Boolean> doneAtFlush = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      List<Folio> pages = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        pages.add(page(data, (i * 4 + p) * Folio.PAGE_SIZE));
      }
      writes.add(submit(bio(BioOp.WRITE, Set.of(), i * 4L * 8, pages)));
    }
    // The FLUSH covers what was acknowledged before it was issued, as REQ_PREFLUSH does.
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    Bio flush = new Bio(dev, BioOp.FLUSH, Set.of(), 1);
    CompletableFuture<BlockStatus> flushed = new CompletableFuture<>();
    flush.setEndIo(
        b -> {
          for (CompletableFuture<BlockStatus> w : writes) {
            doneAtFlush.add(w.isDone());
          }
          flushed.complete(b.status());
        });
    dev.submit(flush);
    assertEquals(BlockStatus.OK, flushed.get(30, TimeUnit.SECONDS));
    assertTrue(doneAtFlush.stream().allMatch(d -> d), "writes done when the flush completed");
    for (CompletableFuture<BlockStatus> w : writes) {
      assertEquals(BlockStatus.OK, w.get());
    }

    byte[] ordered = random(2 * Folio.PAGE_SIZE, 2);
    for (Set<BioFlag> flags :
        List.of(
            EnumSet.of(BioFlag.PREFLUSH),
            EnumSet.of(BioFlag.FUA),
            EnumSet.of(BioFlag.PREFLUSH, BioFlag.FUA))) {
      assertEquals(
          BlockStatus.OK,
          io(bio(BioOp.WRITE, flags, 1024, List.of(page(ordered, 0), page(ordered, 4096)))),
          flags.toString());
      assertArrayEquals(ordered, readBack(1024 * 512L, ordered.length), flags.toString());
      ordered = random(ordered.length, ordered[0]);
    }
    assertArrayEquals(data, readBack(0, data.length));
  }

  @Test
  void concurrentBiosFromSeveralThreadsLandExactly() throws Exception {
    int threads = 4;
    int pagesPerThread = 64;
    byte[] data = random(threads * pagesPerThread * Folio.PAGE_SIZE, 3);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<BlockStatus>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t * pagesPerThread;
        results.add(
            pool.submit(
                () -> {
                  // Each thread writes its own pages, interleaved with the others' in time, in
                  // BIOs of 1 to 3 pages, without waiting in between.
                  List<CompletableFuture<BlockStatus>> mine = new ArrayList<>();
                  Random rnd = new Random(first);
                  int p = first;
                  while (p < first + pagesPerThread) {
                    int n = Math.min(1 + rnd.nextInt(3), first + pagesPerThread - p);
                    List<Folio> pages = new ArrayList<>();
                    for (int k = 0; k < n; k++) {
                      pages.add(page(data, (p + k) * Folio.PAGE_SIZE));
                    }
                    mine.add(submit(bio(BioOp.WRITE, Set.of(), p * 8L, pages)));
                    p += n;
                  }
                  List<BlockStatus> out = new ArrayList<>();
                  for (CompletableFuture<BlockStatus> f : mine) {
                    out.add(f.get(30, TimeUnit.SECONDS));
                  }
                  return out;
                }));
      }
      for (Future<List<BlockStatus>> r : results) {
        assertTrue(r.get(60, TimeUnit.SECONDS).stream().allMatch(BlockStatus::isOk));
      }
      // Concurrent readers see it all.
      List<Future<byte[]>> reads = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long off = (long) t * pagesPerThread * Folio.PAGE_SIZE;
        reads.add(pool.submit(() -> readBack(off, pagesPerThread * Folio.PAGE_SIZE)));
      }
      ByteBuffer all = ByteBuffer.allocate(data.length);
      for (Future<byte[]> r : reads) {
        all.put(r.get(60, TimeUnit.SECONDS));
      }
      assertArrayEquals(data, all.array());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void diskstatsMoveByWhatWasSubmitted() throws Exception {
    DiskStats before = dev.stats();
    for (int i = 0; i < 3; i++) {
      assertEquals(
          BlockStatus.OK, io(bio(BioOp.WRITE, Set.of(), i * 64L, List.of(page(), page()))));
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(BlockStatus.OK, io(bio(BioOp.READ, Set.of(), i * 8L, List.of(page()))));
    }
    DiskStats after = dev.stats();
    assertEquals(3, after.writesCompleted() - before.writesCompleted(), after.toString());
    assertEquals(3 * 16, after.sectorsWritten() - before.sectorsWritten(), after.toString());
    assertEquals(5, after.readsCompleted() - before.readsCompleted(), after.toString());
    assertEquals(5 * 8, after.sectorsRead() - before.sectorsRead(), after.toString());
    assertEquals(0, after.inFlight(), "nothing in flight once all completed");
  }

  /** Segments of less than a page, at offsets inside their folios, several to a BIO. */
  @Test
  void partialSegmentsMoveExactlyTheirBytes() throws Exception {
    byte[] old = random(3 * Folio.PAGE_SIZE, 4);
    DeviceIo.write(dev, 0, java.util.Arrays.copyOfRange(old, 0, 4096), 4096);
    DeviceIo.write(dev, 4096, java.util.Arrays.copyOfRange(old, 4096, 8192), 4096);
    DeviceIo.write(dev, 8192, java.util.Arrays.copyOfRange(old, 8192, 12288), 4096);

    // 512 bytes from folio a at 1024, 1536 from b at 512, 1024 from c at 3072: 3 KiB at sector 3.
    byte[] src = random(3 * Folio.PAGE_SIZE, 5);
    Folio a = page(src, 0);
    Folio b = page(src, 4096);
    Folio c = page(src, 8192);
    Bio w = new Bio(dev, BioOp.WRITE, Set.of(), 3);
    w.setSector(3);
    w.addFolio(a, 512, 1024);
    w.addFolio(b, 1536, 512);
    w.addFolio(c, 1024, 3072);
    assertEquals(3, w.vecCount());
    assertEquals(BlockStatus.OK, io(w));

    byte[] expect = old.clone();
    System.arraycopy(src, 1024, expect, 3 * 512, 512);
    System.arraycopy(src, 4096 + 512, expect, 4 * 512, 1536);
    System.arraycopy(src, 8192 + 3072, expect, 7 * 512, 1024);
    assertArrayEquals(expect, readBack(0, expect.length), "only the 3 KiB written changed");

    // Read the same 3 KiB back into other places of other folios.
    Folio x = page();
    Folio y = page();
    Bio r = new Bio(dev, BioOp.READ, Set.of(), 2);
    r.setSector(3);
    r.addFolio(x, 2048, 2048);
    r.addFolio(y, 1024, 0);
    assertEquals(BlockStatus.OK, io(r));
    byte[] got = new byte[3072];
    x.rawMemory().get(2048, got, 0, 2048);
    y.rawMemory().get(0, got, 2048, 1024);
    assertArrayEquals(java.util.Arrays.copyOfRange(expect, 1536, 1536 + 3072), got);
    byte[] untouched = new byte[2048];
    x.rawMemory().get(0, untouched, 0, 2048);
    assertArrayEquals(new byte[2048], untouched, "a read writes only its segments");
  }
}
