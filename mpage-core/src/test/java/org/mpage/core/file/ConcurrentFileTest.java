package org.mpage.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.mpage.api.page.Folio;
import org.mpage.core.MpageEngine;
import org.mpage.core.testing.DeviceIo;
import org.mpage.core.testing.ScriptedGetBlock;
import org.mpage.device.ramdisk.RamDisk;

/**
 * Readers and writers on one file while the flusher runs and a small cache evicts: every page a
 * reader sees is one whole version (not torn) and not older than the last version whose write had
 * returned when the read began (not stale). Bounded waits turn a deadlock into a failure.
 */
class ConcurrentFileTest {
  private static final int PAGES = 512;
  private static final int PHYS_BASE = 100;

  /** Page content for (page, version): a header and a pattern derived from both. */
  static void stamp(ByteBuffer page, long index, long version) {
    page.putLong(0, index);
    page.putLong(8, version);
    for (int i = 16; i < Folio.PAGE_SIZE; i++) {
      page.put(i, (byte) (index * 7 + version * 13 + i));
    }
  }

  /** The version a page holds, or a failure message if it is not one whole stamp. */
  static long versionOf(ByteBuffer page, long index) {
    long idx = page.getLong(0);
    long version = page.getLong(8);
    if (idx != index) {
      throw new AssertionError("page " + index + " holds the header of page " + idx);
    }
    for (int i = 16; i < Folio.PAGE_SIZE; i++) {
      if (page.get(i) != (byte) (index * 7 + version * 13 + i)) {
        throw new AssertionError(
            "page " + index + " torn at byte " + i + " (version " + version + ")");
      }
    }
    return version;
  }

  @Test
  void readersAndWriters_withFlusherAndEviction_seeWholeCurrentPages() throws Exception {
    RamDisk disk = new RamDisk("rd", (PHYS_BASE + PAGES + 16) * 4096L);
    MpageEngine.Config config =
        MpageEngine.Config.defaults().withCacheLimit(128, 32).withFlusher(true, 10, 0);
    try (MpageEngine engine = new MpageEngine(config)) {
      ScriptedGetBlock gb = new ScriptedGetBlock(disk, 12).map(0, PHYS_BASE, PAGES);
      CachedFile file = engine.files().file("f", new SimpleInode(1, 12, 0), gb, "rd");
      AtomicLongArray committed = new AtomicLongArray(PAGES);
      AtomicLongArray started = new AtomicLongArray(PAGES);
      try (OpenFile init = file.open()) {
        ByteBuffer page = ByteBuffer.allocate(Folio.PAGE_SIZE);
        for (int p = 0; p < PAGES; p++) {
          stamp(page, p, 0);
          init.write((long) p * Folio.PAGE_SIZE, page.clear());
        }
        init.fsync();
      }

      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        int writer = w;
        tasks.add(
            pool.submit(
                () -> {
                  SplittableRandom rnd = new SplittableRandom(writer);
                  ByteBuffer page = ByteBuffer.allocate(Folio.PAGE_SIZE);
                  try (OpenFile f = file.open()) {
                    for (int op = 0; op < 5000; op++) {
                      int p = rnd.nextInt(PAGES / 2) * 2 + writer; // each writer owns half
                      long v = started.get(p) + 1;
                      started.set(p, v);
                      stamp(page, p, v);
                      f.write((long) p * Folio.PAGE_SIZE, page.clear());
                      committed.set(p, v);
                      if (op % 300 == 299) {
                        f.fsync();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (int r = 0; r < 2; r++) {
        int reader = r;
        tasks.add(
            pool.submit(
                () -> {
                  SplittableRandom rnd = new SplittableRandom(100 + reader);
                  ByteBuffer page = ByteBuffer.allocate(Folio.PAGE_SIZE);
                  try (OpenFile f = file.open()) {
                    for (int op = 0; op < 10000; op++) {
                      int p = rnd.nextInt(PAGES);
                      long floor = committed.get(p);
                      assertEquals(
                          Folio.PAGE_SIZE, f.read((long) p * Folio.PAGE_SIZE, page.clear()));
                      long v = versionOf(page, p);
                      long ceiling = started.get(p);
                      assertTrue(v >= floor, "page " + p + ": stale version " + v + " < " + floor);
                      assertTrue(v <= ceiling, "page " + p + ": version " + v + " never written");
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> t : tasks) {
        t.get(120, TimeUnit.SECONDS); // a deadlock fails here instead of hanging the build
      }
      pool.shutdown();

      try (OpenFile f = file.open()) {
        f.fsync();
      }
      // After fsync the device holds exactly the last version of every page.
      for (int p = 0; p < PAGES; p++) {
        byte[] onDisk = DeviceIo.read(disk, (PHYS_BASE + p) * 4096L, Folio.PAGE_SIZE);
        assertEquals(
            committed.get(p), versionOf(ByteBuffer.wrap(onDisk), p), "page " + p + " on disk");
      }
      assertTrue(engine.pageCache().evictions() > 0, "the small cache had to evict");
    }
  }
}
