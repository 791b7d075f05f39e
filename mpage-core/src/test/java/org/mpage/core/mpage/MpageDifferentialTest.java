package org.mpage.core.mpage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.MpageEngine;
import org.mpage.core.file.CachedFile;
import org.mpage.core.file.SimpleInode;
import org.mpage.core.readahead.Readahead;
import org.mpage.core.testing.DeviceIo;
import org.mpage.core.testing.Harness;
import org.mpage.core.testing.RecordingDevice;
import org.mpage.core.testing.ScriptedGetBlock;
import org.mpage.core.writeback.WriteCachePages;
import org.mpage.device.ramdisk.RamDisk;

/**
 * The mpage path against the pure buffer path, on random block maps: for reads, every page ends in
 * the same state with the same bytes, and both agree with a model of what the bytes must be; for
 * writeback, both leave the same bytes on their devices, and those are the model's.
 *
 * <p>Each case is one seed, and its layout is drawn from {@code new Random(seed)}. The seeds are
 * fixed (a sequence drawn from {@link #BASE_SEED}), so every run checks the same 300 read and 200
 * writeback layouts; {@code -Dmpage.seeds=N} checks the first N seeds of that sequence in each test
 * instead. A failing case prints its seed and layout; {@code -Dmpage.seed=S} runs each test on seed
 * S alone, e.g. {@code mvn -pl mpage-core test
 * -Dtest='MpageDifferentialTest#mpageReadahead_matchesBufferPath' -Dmpage.seed=S}.
 */
class MpageDifferentialTest {
  private static final int DISK_BYTES = 4 << 20;
  private static RamDisk sharedDisk;

  /** Where the default seeds come from; changing it changes every layout checked. */
  private static final long BASE_SEED = 0x6d70616765L;

  @BeforeAll
  static void fillDisk() throws Exception {
    sharedDisk = new RamDisk("diff", DISK_BYTES);
    DeviceIo.fillPattern(sharedDisk, 0, DISK_BYTES);
  }

  @AfterAll
  static void dropDisk() {
    sharedDisk.close();
  }

  static LongStream readSeeds() {
    return seeds(300);
  }

  static LongStream writeSeeds() {
    return seeds(200);
  }

  /** {@code -Dmpage.seed=S} alone, else the first {@code -Dmpage.seeds=N} (or count) seeds. */
  private static LongStream seeds(int count) {
    String one = System.getProperty("mpage.seed");
    if (one != null && !one.isBlank()) {
      return LongStream.of(Long.parseLong(one.trim()));
    }
    return new SplittableRandom(BASE_SEED)
        .longs(Integer.getInteger("mpage.seeds", count), 0, Long.MAX_VALUE);
  }

  /** The body of one case. */
  @FunctionalInterface
  private interface Case {
    void run() throws Exception;
  }

  /** Runs one case; a failure names the seed, the layout, and how to rerun that case alone. */
  private static void check(String test, long seed, Object layout, Case body) throws Exception {
    try {
      body.run();
    } catch (AssertionError | Exception e) {
      throw new AssertionError(
          "seed "
              + seed
              + ": "
              + e
              + "\n  layout: "
              + layout
              + "\n  rerun alone: mvn -pl mpage-core test -Dtest='MpageDifferentialTest#"
              + test
              + "' -Dmpage.seed="
              + seed,
          e);
    }
  }

  /** {@code lo..hi}, both included. */
  private static int between(Random r, int lo, int hi) {
    return lo + r.nextInt(hi - lo + 1);
  }

  /** {@code lo..hi}, both included. */
  private static long between(Random r, long lo, long hi) {
    return r.nextLong(lo, hi + 1);
  }

  private static <T> List<T> listOf(int size, Supplier<T> element) {
    List<T> out = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      out.add(element.get());
    }
    return out;
  }

  enum Kind {
    HOLE,
    MAPPED,
    UPTODATE,
    ERROR
  }

  /** A random file: block size, block kinds and physical blocks, size, and a readahead batch. */
  record Layout(
      int blockBits,
      List<Kind> kinds,
      List<Long> phys,
      List<Boolean> boundary,
      long size,
      int batchStart,
      int batchLength) {
    int pages() {
      return (kinds.size() << blockBits) / Folio.PAGE_SIZE;
    }

    ScriptedGetBlock getBlock(RecordingDevice dev) {
      ScriptedGetBlock gb = new ScriptedGetBlock(dev, blockBits);
      for (int b = 0; b < kinds.size(); b++) {
        switch (kinds.get(b)) {
          case MAPPED -> gb.map(b, phys.get(b), 1);
          case UPTODATE -> gb.uptodateAt(b, phys.get(b));
          case ERROR -> gb.errorAt(b, new IOException("scripted EIO at " + b));
          case HOLE -> {}
        }
        if (boundary.get(b)) {
          gb.boundaryAt(b);
        }
      }
      return gb;
    }
  }

  private static Layout layout(Random r) {
    int bits = between(r, 9, 12);
    int bpp = Folio.PAGE_SIZE >> bits;
    int pages = between(r, 1, 10);
    return layout(r, bits, pages, pages * bpp);
  }

  private static Layout layout(Random r, int bits, int pages, int blocks) {
    long maxPhys = (long) (DISK_BYTES >> bits) - 1;
    // One layout in three is dense: nearly every block mapped and the file covering its pages, so
    // that whole pages of mapped but scattered blocks (the mpage path's own decisions) are common,
    // not one case in a hundred as the 6:2:1:1 mix alone makes them.
    boolean dense = between(r, 0, 2) == 0;
    List<Kind> kinds =
        listOf(blocks, () -> dense ? (between(r, 0, 19) == 0 ? Kind.HOLE : Kind.MAPPED) : kind(r));
    // Physical blocks: mostly runs (next = previous + 1), sometimes a jump.
    List<Long> phys = new ArrayList<>();
    long p = 16;
    for (int b = 0; b < blocks; b++) {
      int j = between(r, 0, 9);
      p = j == 0 ? (p * 7 + 131) % (maxPhys - 16) + 8 : p + 1;
      if (p >= maxPhys) {
        p = 8;
      }
      phys.add(p);
    }
    List<Boolean> boundary = listOf(blocks, () -> between(r, 0, 19) == 0);
    long full = (long) pages * Folio.PAGE_SIZE;
    long size =
        dense ? between(r, Math.max(0, full - 100), full + 100) : between(r, 0L, full + 100);
    int start = between(r, 0, pages - 1);
    int len = between(r, 1, pages);
    return new Layout(bits, kinds, phys, boundary, size, start, Math.min(len, pages - start));
  }

  /** MAPPED, HOLE, UPTODATE and ERROR in the proportions 6:2:1:1. */
  private static Kind kind(Random r) {
    int x = r.nextInt(10);
    return x < 6 ? Kind.MAPPED : x < 8 ? Kind.HOLE : x < 9 ? Kind.UPTODATE : Kind.ERROR;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("readSeeds")
  void mpageReadahead_matchesBufferPath(long seed) throws Exception {
    Layout layout = layout(new Random(seed));
    check("mpageReadahead_matchesBufferPath", seed, layout, () -> readahead(layout));
  }

  private static void readahead(Layout layout) throws Exception {
    RecordingDevice dev = new RecordingDevice(sharedDisk);
    try (MpageEngine engine = engine()) {
      CachedFile viaMpage =
          engine
              .files()
              .file(
                  "m",
                  new SimpleInode(1, layout.blockBits(), layout.size()),
                  layout.getBlock(dev),
                  "d");
      CachedFile viaBuffers =
          engine
              .files()
              .bufferPathFile(
                  "b",
                  new SimpleInode(2, layout.blockBits(), layout.size()),
                  layout.getBlock(dev),
                  "d");
      Readahead ra = new Readahead(engine.blockLayer());
      ra.pageCacheRaUnbounded(viaMpage.mapping(), layout.batchStart(), layout.batchLength(), 0);
      ra.pageCacheRaUnbounded(viaBuffers.mapping(), layout.batchStart(), layout.batchLength(), 0);
      for (int p = layout.batchStart(); p < layout.batchStart() + layout.batchLength(); p++) {
        Folio m = viaMpage.mapping().findFolio(p);
        Folio b = viaBuffers.mapping().findFolio(p);
        assertEquals(b.isUptodate(), m.isUptodate(), "uptodate of page " + p);
        assertEquals(b.test(FolioFlag.ERROR), m.test(FolioFlag.ERROR), "error of page " + p);
        assertTrue(!m.isLocked() && !b.isLocked(), "both unlocked");
        if (m.isUptodate()) {
          byte[] expected = model(layout, p);
          assertArrayEquals(expected, Harness.bytes(m, 0, Folio.PAGE_SIZE), "mpage page " + p);
          assertArrayEquals(expected, Harness.bytes(b, 0, Folio.PAGE_SIZE), "buffer page " + p);
        } else {
          assertTrue(hasErrorBlockInside(layout, p), "only get_block errors fail a read");
        }
      }
    }
  }

  private static MpageEngine engine() {
    return new MpageEngine(MpageEngine.Config.defaults().withFlusher(false, 1000, 1000));
  }

  /** What page {@code p} must hold after a successful read. */
  private static byte[] model(Layout l, int p) {
    int bs = 1 << l.blockBits();
    byte[] out = new byte[Folio.PAGE_SIZE];
    long lastBlockInFile = (l.size() + bs - 1) / bs;
    for (int i = 0; i < Folio.PAGE_SIZE / bs; i++) {
      long block = (long) p * (Folio.PAGE_SIZE / bs) + i;
      if (block >= lastBlockInFile) {
        continue; // beyond EOF: zero
      }
      Kind kind = l.kinds().get((int) block);
      for (int j = 0; j < bs; j++) {
        out[i * bs + j] =
            switch (kind) {
              case HOLE, ERROR -> 0;
              case MAPPED -> DeviceIo.diskByte(l.phys().get((int) block) * bs + j);
              case UPTODATE -> ScriptedGetBlock.fsByte(block * bs + j);
            };
      }
    }
    return out;
  }

  private static boolean hasErrorBlockInside(Layout l, int p) {
    int bs = 1 << l.blockBits();
    long lastBlockInFile = (l.size() + bs - 1) / bs;
    for (int i = 0; i < Folio.PAGE_SIZE / bs; i++) {
      long block = (long) p * (Folio.PAGE_SIZE / bs) + i;
      if (block < lastBlockInFile && l.kinds().get((int) block) == Kind.ERROR) {
        return true;
      }
    }
    return false;
  }

  // ---- writeback ----

  /**
   * A random file to write back: planned physical blocks, which are pre-mapped, which pages dirty.
   */
  record WriteLayout(
      int blockBits, List<Long> phys, List<Boolean> premapped, List<Boolean> dirty, long size) {}

  private static WriteLayout writeLayout(Random r) {
    int bits = between(r, 9, 12);
    int pages = between(r, 1, 12);
    int blocks = pages * (Folio.PAGE_SIZE >> bits);
    long maxPhys = ((1L << 20) >> bits) - 1;
    List<Long> phys = new ArrayList<>();
    Set<Long> used = new HashSet<>();
    long p = 4;
    for (int b = 0; b < blocks; b++) {
      int j = between(r, 0, 5);
      p = j == 0 ? (p * 5 + 97) % (maxPhys - 8) + 4 : p + 1;
      while (p >= maxPhys || used.contains(p)) {
        p = (p + 1) % maxPhys;
      }
      used.add(p);
      phys.add(p);
    }
    List<Boolean> premapped = listOf(blocks, r::nextBoolean);
    List<Boolean> dirty = listOf(pages, r::nextBoolean);
    long size = between(r, 0L, (long) pages * Folio.PAGE_SIZE);
    return new WriteLayout(bits, phys, premapped, dirty, size);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("writeSeeds")
  void mpageWritepages_leavesTheSameBytesAsBufferPath(long seed) throws Exception {
    WriteLayout l = writeLayout(new Random(seed));
    check(
        "mpageWritepages_leavesTheSameBytesAsBufferPath",
        seed,
        l,
        () -> {
          byte[] viaMpage = writeBack(l, false);
          byte[] viaBuffers = writeBack(l, true);
          assertArrayEquals(viaBuffers, viaMpage, "device bytes after writeback");
          assertArrayEquals(writeModel(l), viaMpage, "device bytes against the model");
        });
  }

  private static byte[] writeBack(WriteLayout l, boolean bufferPath) throws Exception {
    RamDisk disk = new RamDisk("w", 1 << 20);
    RecordingDevice dev = new RecordingDevice(disk);
    ScriptedGetBlock gb = new ScriptedGetBlock(dev, l.blockBits());
    for (int b = 0; b < l.phys().size(); b++) {
      if (l.premapped().get(b)) {
        gb.map(b, l.phys().get(b), 1);
      } else {
        gb.allocationFor(b, l.phys().get(b));
      }
    }
    try (MpageEngine engine = engine()) {
      SimpleInode inode = new SimpleInode(1, l.blockBits(), l.size());
      CachedFile f =
          bufferPath
              ? engine.files().bufferPathFile("b", inode, gb, "w")
              : engine.files().file("m", inode, gb, "w");
      for (int p = 0; p < l.dirty().size(); p++) {
        if (l.dirty().get(p)) {
          Folio folio = f.mapping().grabFolioLocked(p);
          for (int i = 0; i < Folio.PAGE_SIZE; i++) {
            folio.rawMemory().put(i, Harness.dataByte(p, i, 3));
          }
          folio.markUptodate();
          f.mapping().dirtyFolio(folio);
          folio.unlock();
          engine.pageCache().put(folio);
        }
      }
      f.mapping().ops().writepages(f.mapping(), WritebackControl.syncAll());
      WriteCachePages.waitRange(f.mapping(), engine.blockLayer(), 0, Long.MAX_VALUE);
      // Nothing beyond EOF may be allocated (the 6.3 fix), on either path.
      int bs = 1 << l.blockBits();
      long lastBlockInFile = (l.size() + bs - 1) / bs;
      for (long b : gb.allocated()) {
        assertTrue(b < lastBlockInFile, "allocated block " + b + " beyond EOF");
      }
      return DeviceIo.read(disk, 0, 1 << 20);
    }
  }

  private static byte[] writeModel(WriteLayout l) {
    byte[] disk = new byte[1 << 20];
    int bs = 1 << l.blockBits();
    int bpp = Folio.PAGE_SIZE / bs;
    for (int p = 0; p < l.dirty().size(); p++) {
      if (!l.dirty().get(p)) {
        continue;
      }
      for (int i = 0; i < bpp; i++) {
        long block = (long) p * bpp + i;
        long blockStart = block * bs;
        if (blockStart >= l.size()) {
          continue;
        }
        long phys = l.phys().get((int) block);
        for (int j = 0; j < bs; j++) {
          long pos = blockStart + j;
          disk[(int) (phys * bs + j)] = pos < l.size() ? Harness.dataByte(p, i * bs + j, 3) : 0;
        }
      }
    }
    return disk;
  }
}
