package org.mpage.core.mpage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
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
 */
class MpageDifferentialTest {
  private static final int DISK_BYTES = 4 << 20;
  private static RamDisk sharedDisk;

  @BeforeContainer
  static void fillDisk() throws Exception {
    sharedDisk = new RamDisk("diff", DISK_BYTES);
    DeviceIo.fillPattern(sharedDisk, 0, DISK_BYTES);
  }

  @AfterContainer
  static void dropDisk() {
    sharedDisk.close();
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

  @Provide
  Arbitrary<Layout> layouts() {
    return Arbitraries.integers()
        .between(9, 12)
        .flatMap(
            bits -> {
              int bpp = Folio.PAGE_SIZE >> bits;
              return Arbitraries.integers()
                  .between(1, 10)
                  .flatMap(pages -> layout(bits, pages, pages * bpp));
            });
  }

  private static Arbitrary<Layout> layout(int bits, int pages, int blocks) {
    long maxPhys = (long) (DISK_BYTES >> bits) - 1;
    Arbitrary<List<Kind>> kinds =
        Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.MAPPED)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.HOLE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.UPTODATE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.ERROR)))
            .list()
            .ofSize(blocks);
    // Physical blocks: mostly runs (next = previous + 1), sometimes a jump.
    Arbitrary<List<Long>> phys =
        Arbitraries.integers()
            .between(0, 9)
            .list()
            .ofSize(blocks)
            .map(
                jumps -> {
                  List<Long> out = new ArrayList<>();
                  long p = 16;
                  for (int j : jumps) {
                    p = j == 0 ? (p * 7 + 131) % (maxPhys - 16) + 8 : p + 1;
                    if (p >= maxPhys) {
                      p = 8;
                    }
                    out.add(p);
                  }
                  return out;
                });
    Arbitrary<List<Boolean>> boundary =
        Arbitraries.integers().between(0, 19).map(x -> x == 0).list().ofSize(blocks);
    Arbitrary<Long> size = Arbitraries.longs().between(0, (long) pages * Folio.PAGE_SIZE + 100);
    Arbitrary<Integer> start = Arbitraries.integers().between(0, pages - 1);
    return Combinators.combine(
            kinds, phys, boundary, size, start, Arbitraries.integers().between(1, pages))
        .as((k, p, b, s, st, len) -> new Layout(bits, k, p, b, s, st, Math.min(len, pages - st)));
  }

  @Property(tries = 300)
  void mpageReadahead_matchesBufferPath(@ForAll("layouts") Layout layout) throws Exception {
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

  @Provide
  Arbitrary<WriteLayout> writeLayouts() {
    return Arbitraries.integers()
        .between(9, 12)
        .flatMap(
            bits ->
                Arbitraries.integers()
                    .between(1, 12)
                    .flatMap(
                        pages -> {
                          int blocks = pages * (Folio.PAGE_SIZE >> bits);
                          long maxPhys = ((1L << 20) >> bits) - 1;
                          Arbitrary<List<Long>> phys =
                              Arbitraries.integers()
                                  .between(0, 5)
                                  .list()
                                  .ofSize(blocks)
                                  .map(
                                      jumps -> {
                                        List<Long> out = new ArrayList<>();
                                        java.util.Set<Long> used = new java.util.HashSet<>();
                                        long p = 4;
                                        for (int j : jumps) {
                                          p = j == 0 ? (p * 5 + 97) % (maxPhys - 8) + 4 : p + 1;
                                          while (p >= maxPhys || used.contains(p)) {
                                            p = (p + 1) % maxPhys;
                                          }
                                          used.add(p);
                                          out.add(p);
                                        }
                                        return out;
                                      });
                          return Combinators.combine(
                                  phys,
                                  Arbitraries.of(true, false).list().ofSize(blocks),
                                  Arbitraries.of(true, false).list().ofSize(pages),
                                  Arbitraries.longs().between(0, (long) pages * Folio.PAGE_SIZE))
                              .as((p, m, d, s) -> new WriteLayout(bits, p, m, d, s));
                        }));
  }

  @Property(tries = 200)
  void mpageWritepages_leavesTheSameBytesAsBufferPath(@ForAll("writeLayouts") WriteLayout l)
      throws Exception {
    byte[] viaMpage = writeBack(l, false);
    byte[] viaBuffers = writeBack(l, true);
    assertArrayEquals(viaBuffers, viaMpage, "device bytes after writeback");
    assertArrayEquals(writeModel(l), viaMpage, "device bytes against the model");
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
