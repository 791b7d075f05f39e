package org.mpage.core.pagecache;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mpage.api.page.Folio;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.file.SimpleInode;

/**
 * Eviction of a clean folio against a writer that adds and dirties a new folio at the same index as
 * soon as the slot is empty: the new folio must keep its dirty mark, or writeback never finds it
 * and the write is lost (ConcurrentFileTest saw this as an old version on disk after fsync).
 *
 * <p>The window is a few instructions wide, so this is a bounded stress test (5 seconds): without
 * the fix in {@link Mapping#removeFolio} it failed in 6 of 7 runs on a 2-core machine; a pass
 * proves nothing by itself.
 */
class RemoveFolioRaceTest {
  private static final int ROUNDS = 2_000_000;

  @Test
  void removeFolio_leavesTheMarksOfAFolioAddedAtItsIndexAlone() throws Exception {
    PageCache cache = new PageCache(new BlockLayer(), 1 << 20, 1 << 20);
    Mapping mapping = cache.newMapping(new SimpleInode(1, 12, 0), null, "t");
    AtomicLong go = new AtomicLong(-1);
    AtomicLong done = new AtomicLong(-1);
    AtomicReference<Folio> added = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (long round = 0; round < ROUNDS; round++) {
                  while (go.get() < round) {
                    if (stop.get()) {
                      return;
                    }
                    Thread.onSpinWait();
                  }
                  long index = round & 1023;
                  while (mapping.findFolio(index) != null) {
                    Thread.onSpinWait();
                  }
                  Folio b = mapping.addNewFolioLocked(index);
                  assertNotNull(b, "round " + round);
                  mapping.dirtyFolio(b);
                  b.unlock();
                  cache.put(b);
                  added.set(b);
                  done.set(round);
                }
              } catch (Throwable t) {
                failure.set(t);
                done.set(Long.MAX_VALUE);
              }
            },
            "writer");
    writer.setDaemon(true);
    writer.start();
    // Busy threads beyond the cores preempt the evictor at random points, now and then between
    // emptying the slot and clearing its marks, where the window is a few instructions wide.
    List<Thread> burners = new ArrayList<>();
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  Thread.onSpinWait();
                }
              },
              "burner");
      t.setDaemon(true);
      t.start();
      burners.add(t);
    }
    int lost = 0;
    long deadline = System.nanoTime() + 5_000_000_000L;
    long rounds = 0;
    try {
      for (long round = 0; round < ROUNDS && failure.get() == null; round++) {
        if (System.nanoTime() > deadline) {
          break;
        }
        rounds++;
        long index = round & 1023;
        Folio a = mapping.addNewFolioLocked(index);
        a.markUptodate();
        cache.put(a); // only the index's reference remains, as eviction requires
        go.set(round);
        assertTrue(mapping.removeFolio(a));
        a.unlock();
        while (done.get() < round) {
          Thread.onSpinWait();
        }
        Folio b = added.get();
        if (b == null || failure.get() != null) {
          break;
        }
        if (!mapping.isTagged(Mapping.Tag.DIRTY, index)) {
          lost++;
        }
        b.lock();
        mapping.clearDirtyForIo(b);
        mapping.removeFolio(b);
        b.unlock();
      }
    } finally {
      stop.set(true);
    }
    writer.join(10_000);
    for (Thread t : burners) {
      t.join(10_000);
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertTrue(lost == 0, lost + " of " + rounds + " dirty folios lost their dirty mark");
  }
}
