package org.mpage.core.readahead;

import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.block.Plug;
import org.mpage.core.pagecache.Mapping;

/**
 * On-demand readahead (mm/readahead.c): decides how many pages to read ahead of a reader and starts
 * those reads through the mapping's readahead operation.
 *
 * <p>The first read of a file gets a window of four (or two) times the request, rounded up to a
 * power of two; each time a sequential reader reaches the marker the next window is four times
 * (while small) or twice the last, up to {@code raPages}. A random read outside the window reads
 * just what was asked.
 */
public final class Readahead {
  private final BlockLayer blk;

  public Readahead(BlockLayer blk) {
    this.blk = blk;
  }

  /** Port of get_init_ra_size(), mm/readahead.c. */
  static int initRaSize(long size, int max) {
    long newsize = Long.highestOneBit(Math.max(1, size - 1)) << (size > 1 ? 1 : 0);
    if (newsize <= max / 32) {
      newsize *= 4;
    } else if (newsize <= max / 4) {
      newsize *= 2;
    } else {
      newsize = max;
    }
    return (int) newsize;
  }

  /** Port of get_next_ra_size(), mm/readahead.c. */
  static int nextRaSize(FileRaState ra, int max) {
    int cur = ra.size;
    if (cur < max / 16) {
      return 4 * cur;
    }
    if (cur <= max / 2) {
      return 2 * cur;
    }
    return max;
  }

  /**
   * A read missed the cache at {@code index}: the kernel's {@code page_cache_sync_ra}. {@code
   * reqCount} is the number of pages the reader asked for.
   */
  public void syncReadahead(Mapping mapping, FileRaState ra, long index, long reqCount) {
    if (ra.raPages == 0) {
      // Readahead off: read just the page asked for.
      doPageCacheRa(mapping, index, 1, 0);
      return;
    }
    ondemandReadahead(mapping, ra, false, index, reqCount);
  }

  /**
   * A read reached a folio carrying the readahead marker: the kernel's {@code page_cache_async_ra}.
   * Starts the next window without waiting for it.
   */
  public void asyncReadahead(Mapping mapping, FileRaState ra, Folio folio, long reqCount) {
    if (ra.raPages == 0 || folio.isWriteback()) {
      return;
    }
    folio.clear(FolioFlag.READAHEAD);
    ondemandReadahead(mapping, ra, true, folio.index(), reqCount);
  }

  /** Port of ondemand_readahead(), mm/readahead.c, Linux 6.3 (order-0 folios only). */
  private void ondemandReadahead(
      Mapping mapping, FileRaState ra, boolean hitMarker, long index, long reqSize) {
    int maxPages = ra.raPages;
    boolean initial;
    if (index == 0) {
      initial = true;
    } else if (index == ra.start + ra.size - ra.asyncSize || index == ra.start + ra.size) {
      // The expected next index: a sequential reader. Ramp up and push the window forward.
      ra.start += ra.size;
      ra.size = nextRaSize(ra, maxPages);
      ra.asyncSize = ra.size;
      initial = false;
    } else if (hitMarker) {
      // A marked folio without matching state (interleaved readers): find how far the cache
      // already reaches and continue from there.
      long start = nextMiss(mapping, index + 1, maxPages);
      if (start < 0 || start - index > maxPages) {
        return;
      }
      ra.start = start;
      ra.size = (int) (start - index + reqSize);
      ra.size = nextRaSize(ra, maxPages);
      ra.asyncSize = ra.size;
      initial = false;
    } else if (reqSize > maxPages) {
      initial = true; // oversize read
    } else {
      long prevIndex = ra.prevPos < 0 ? -2 : ra.prevPos >> Folio.PAGE_SHIFT;
      if (index - prevIndex <= 1 && index - prevIndex >= 0) {
        initial = true; // sequential cache miss
      } else {
        // A small random read: read what was asked, leave the state alone.
        doPageCacheRa(mapping, index, reqSize, 0);
        return;
      }
    }
    if (initial) {
      ra.start = index;
      ra.size = initRaSize(reqSize, maxPages);
      ra.asyncSize = ra.size > reqSize ? (int) (ra.size - reqSize) : ra.size;
    }
    // Would this read hit the marker it is about to set? Then merge the next window in now.
    if (index == ra.start && ra.size == ra.asyncSize) {
      int addPages = nextRaSize(ra, maxPages);
      if (ra.size + addPages <= maxPages) {
        ra.asyncSize = addPages;
        ra.size += addPages;
      } else {
        ra.size = maxPages;
        ra.asyncSize = maxPages >> 1;
      }
    }
    doPageCacheRa(mapping, ra.start, ra.size, ra.asyncSize);
  }

  private static long nextMiss(Mapping mapping, long index, int max) {
    for (long i = index; i < index + max; i++) {
      if (mapping.findFolio(i) == null) {
        return i;
      }
    }
    return -1;
  }

  /** Port of do_page_cache_ra(): clamps the window to EOF. */
  void doPageCacheRa(Mapping mapping, long index, long nrToRead, long lookaheadSize) {
    long isize = mapping.host().size();
    if (isize == 0) {
      return;
    }
    long endIndex = (isize - 1) >> Folio.PAGE_SHIFT;
    if (index > endIndex) {
      return;
    }
    if (nrToRead > endIndex - index + 1) {
      nrToRead = endIndex - index + 1;
    }
    pageCacheRaUnbounded(mapping, index, nrToRead, lookaheadSize);
  }

  /**
   * Port of page_cache_ra_unbounded(), mm/readahead.c: adds locked folios for the missing pages of
   * the window, marks the one where the next window should start, and hands each run of consecutive
   * new folios to the filesystem's readahead. Pages already cached split the runs.
   */
  public void pageCacheRaUnbounded(Mapping mapping, long index, long nrToRead, long lookaheadSize) {
    long mark = index + nrToRead - lookaheadSize;
    ReadaheadBatch batch = new ReadaheadBatch(mapping, index);
    for (long i = 0; i < nrToRead; i++) {
      Folio folio = mapping.addNewFolioLocked(index + i);
      if (folio == null) {
        readPages(mapping, batch);
        batch = new ReadaheadBatch(mapping, index + i + 1);
        continue;
      }
      if (index + i == mark) {
        folio.set(FolioFlag.READAHEAD);
      }
      batch.add(folio);
    }
    readPages(mapping, batch);
  }

  /** Port of read_pages(), mm/readahead.c: the filesystem's readahead under a plug. */
  private void readPages(Mapping mapping, ReadaheadBatch batch) {
    if (batch.isEmpty()) {
      return;
    }
    try (Plug plug = blk.startPlug()) {
      mapping.ops().readahead(batch);
      for (Folio folio : batch.untaken()) {
        folio.unlock();
      }
    } finally {
      for (Folio folio : batch.all()) {
        mapping.cache().put(folio);
      }
    }
  }
}
