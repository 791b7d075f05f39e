package org.mpage.core.writeback;

import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.SyncMode;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.block.Plug;
import org.mpage.core.pagecache.AddressSpaceOps;
import org.mpage.core.pagecache.Mapping;

/**
 * The tagged walk over a mapping's dirty folios that writeback is built on: the kernel's {@code
 * write_cache_pages} (mm/page-writeback.c). Each folio is locked, checked, cleared for I/O and
 * handed to a {@link Writepage} callback, which unlocks it.
 *
 * <ul>
 *   <li>Data integrity ({@link SyncMode#ALL}) first tags the dirty folios as towrite and writes
 *       exactly those, waiting for folios already under writeback and going on past errors; it
 *       returns the first error.
 *   <li>Background ({@link SyncMode#NONE}) skips folios under writeback and stops when {@code
 *       nrToWrite} reaches zero or at the first error.
 *   <li>Cyclic walks start at the mapping's writeback index and leave it where they stopped; a walk
 *       that reaches the end of the file resets it to 0 without wrapping in the same call.
 * </ul>
 */
public final class WriteCachePages {
  /** Writes one locked folio whose dirty bit was cleared; returns 0 or a positive errno. */
  @FunctionalInterface
  public interface Writepage {
    int writepage(Folio folio, WritebackControl wbc);
  }

  private WriteCachePages() {}

  /** Port of write_cache_pages(), mm/page-writeback.c, Linux 6.8 semantics for the cursor. */
  public static int writeCachePages(
      Mapping mapping, WritebackControl wbc, BlockLayer blockLayer, Writepage writepage) {
    int ret = 0;
    boolean done = false;
    long index;
    long end;
    boolean rangeWhole = false;
    if (wbc.rangeCyclic()) {
      index = mapping.writebackIndex();
      end = Long.MAX_VALUE;
    } else {
      index = wbc.rangeStart() >> Folio.PAGE_SHIFT;
      end = wbc.rangeEnd() >> Folio.PAGE_SHIFT;
      rangeWhole = wbc.rangeStart() == 0 && wbc.rangeEnd() == Long.MAX_VALUE;
    }
    Mapping.Tag tag;
    if (wbc.syncMode() == SyncMode.ALL || wbc.taggedWritepages()) {
      mapping.tagPagesForWriteback(index, end);
      tag = Mapping.Tag.TOWRITE;
    } else {
      tag = Mapping.Tag.DIRTY;
    }
    long doneIndex = index;
    while (!done && index <= end) {
      long next = mapping.nextTagged(tag, index, end);
      if (next < 0) {
        break;
      }
      index = next + 1;
      Folio folio = mapping.getFolio(next);
      if (folio == null) {
        continue;
      }
      try {
        doneIndex = folio.index();
        lockFolio(folio, blockLayer);
        if (!mapping.owns(folio) || !folio.isDirty()) {
          // Truncated, or someone wrote it for us.
          folio.unlock();
          continue;
        }
        if (folio.isWriteback()) {
          if (wbc.syncMode() == SyncMode.NONE) {
            folio.unlock();
            continue;
          }
          blockLayer.flushPlug();
          folio.waitUntilClear(FolioFlag.WRITEBACK);
        }
        if (!mapping.clearDirtyForIo(folio)) {
          folio.unlock();
          continue;
        }
        int error = writepage.writepage(folio, wbc);
        if (error != 0) {
          if (wbc.syncMode() != SyncMode.ALL) {
            // Background writeback stops; push the cursor past the bad folio so that one media
            // error does not choke writeback of the whole file.
            ret = error;
            doneIndex = folio.index() + 1;
            done = true;
            break;
          }
          if (ret == 0) {
            ret = error;
          }
        }
        wbc.setNrToWrite(wbc.nrToWrite() - 1);
        if (wbc.nrToWrite() <= 0 && wbc.syncMode() == SyncMode.NONE) {
          doneIndex = folio.index() + 1;
          done = true;
          break;
        }
      } finally {
        mapping.cache().put(folio);
      }
    }
    if (wbc.rangeCyclic() && !done) {
      doneIndex = 0;
    }
    if (wbc.rangeCyclic() || (rangeWhole && wbc.nrToWrite() > 0)) {
      mapping.setWritebackIndex(doneIndex);
    }
    return ret;
  }

  /**
   * Port of generic_writepages(), mm/page-writeback.c, Linux 2.6: writes the mapping's dirty folios
   * one by one through its own writepage, under a plug. A mapping without a writepage is left as it
   * is: walking it would clear dirty bits that nothing then writes.
   */
  public static int genericWritepages(
      Mapping mapping, WritebackControl wbc, BlockLayer blockLayer) {
    AddressSpaceOps ops = mapping.ops();
    if (ops == null || !ops.hasWritepage()) {
      return 0;
    }
    try (Plug plug = blockLayer.startPlug()) {
      return writeCachePages(
          mapping,
          wbc,
          blockLayer,
          (folio, w) -> {
            int ret = ops.writepage(folio, w);
            // As generic_writepages' callback does: the error is also kept for a later fsync.
            mapping.setError(ret);
            return ret;
          });
    }
  }

  private static void lockFolio(Folio folio, BlockLayer blockLayer) {
    if (!folio.tryLock()) {
      // We may sleep: dispatch what our plug holds, it may be what the holder waits for.
      blockLayer.flushPlug();
      folio.lock();
    }
  }

  /**
   * Waits for writeback of every folio in {@code [start, end]} bytes: the kernel's {@code
   * filemap_fdatawait_range}.
   */
  public static void waitRange(Mapping mapping, BlockLayer blockLayer, long start, long end) {
    blockLayer.flushPlug();
    long index = start >> Folio.PAGE_SHIFT;
    long last = end >> Folio.PAGE_SHIFT;
    while (index <= last) {
      long next = mapping.nextTagged(Mapping.Tag.WRITEBACK, index, last);
      if (next < 0) {
        return;
      }
      Folio folio = mapping.getFolio(next);
      if (folio != null) {
        folio.waitUntilClear(FolioFlag.WRITEBACK);
        mapping.cache().put(folio);
      }
      index = next + 1;
    }
  }
}
