package org.mpage.core.pagecache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.mpage.api.page.AddressSpace;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.Inode;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.IoStats;

/**
 * The page cache of one file: an ordered index of folios with dirty, writeback and towrite tags, a
 * writeback error sequence and the writeback cursor. The kernel's {@code struct address_space} with
 * its xarray marks.
 *
 * <p>Thread-safe. The index and tags are concurrent sets; a folio's own state is guarded by the
 * folio. A folio found in the index must be pinned ({@link #getFolio(long)}) before use, because
 * eviction may free an unpinned one.
 */
public final class Mapping implements AddressSpace {
  /** Error flags of the 2.6 era ({@code AS_EIO}, {@code AS_ENOSPC}). */
  private static final int AS_EIO = 1;

  private static final int AS_ENOSPC = 2;

  /** Tags of the index: the kernel's {@code PAGECACHE_TAG_*}. */
  public enum Tag {
    DIRTY(0),
    WRITEBACK(1),
    TOWRITE(2);

    /** Which of the index's mark bits carries this tag. */
    final int mark;

    Tag(int mark) {
      this.mark = mark;
    }
  }

  private static final int DIRTY = Tag.DIRTY.mark;
  private static final int WRITEBACK = Tag.WRITEBACK.mark;
  private static final int TOWRITE = Tag.TOWRITE.mark;

  private final PageCache cache;
  private final Inode host;
  private final String pool;
  private final IoStats.PoolCounters poolCounters;
  private volatile AddressSpaceOps ops;

  /**
   * The page index, without boxing or allocation per page; the ordered walks (writeback, waiting)
   * go through the tag sets, and truncation, which is rare, filters the whole index.
   */
  private final FolioIndex pages = new FolioIndex();

  private final Errseq wbErr = new Errseq();
  private final AtomicInteger asFlags = new AtomicInteger();
  private volatile long writebackIndex;

  /**
   * Whether this is a device's own mapping (the buffer cache: bitmaps, inodes, indirect blocks).
   */
  private volatile boolean metadata;

  private volatile long dirtiedWhenNanos;

  Mapping(
      PageCache cache,
      Inode host,
      AddressSpaceOps ops,
      String pool,
      IoStats.PoolCounters poolCounters) {
    this.cache = cache;
    this.host = host;
    this.ops = ops;
    this.pool = pool;
    this.poolCounters = poolCounters;
  }

  @Override
  public Inode host() {
    return host;
  }

  public PageCache cache() {
    return cache;
  }

  /** The cleancache pool (device or filesystem) this mapping belongs to. */
  public String pool() {
    return pool;
  }

  /** The page cache hits and misses of this mapping's pool. */
  public IoStats.PoolCounters poolCounters() {
    return poolCounters;
  }

  public AddressSpaceOps ops() {
    return ops;
  }

  public void setOps(AddressSpaceOps ops) {
    this.ops = ops;
  }

  @Override
  public Folio findFolio(long index) {
    return pages.get(index);
  }

  @Override
  public long nrPages() {
    return pages.size();
  }

  /** Marks this mapping as a device's metadata (see {@link #isMetadata()}). */
  public void setMetadata(boolean metadata) {
    this.metadata = metadata;
  }

  /** Whether this mapping holds a device's metadata blocks rather than a file's data. */
  public boolean isMetadata() {
    return metadata;
  }

  /** Pages tagged dirty. */
  public long nrDirty() {
    return pages.tagCount(DIRTY);
  }

  @Override
  public boolean hasDirtyPages() {
    return pages.anyTagged(DIRTY);
  }

  /** Whether {@code folio} is still this mapping's folio at its index (not truncated away). */
  public boolean owns(Folio folio) {
    return pages.get(folio.index()) == folio;
  }

  /** The folio at {@code index}, pinned, or null. Release it with {@link PageCache#put}. */
  public Folio getFolio(long index) {
    while (true) {
      Folio folio = pages.get(index);
      if (folio == null) {
        return null;
      }
      if (folio.tryGet()) {
        if (pages.get(index) == folio) {
          folio.set(FolioFlag.REFERENCED);
          return folio;
        }
        cache.put(folio);
      }
    }
  }

  /**
   * The folio at {@code index}, created if missing, locked and pinned: the kernel's {@code
   * __filemap_get_folio(FGP_LOCK | FGP_CREAT)}.
   */
  public Folio grabFolioLocked(long index) {
    while (true) {
      Folio folio = getFolio(index);
      if (folio != null) {
        if (!folio.tryLock()) {
          // About to sleep: send our own plugged BIOs first, one of them may be what we wait for.
          cache.blockLayer().flushPlug();
          folio.lock();
        }
        if (owns(folio)) {
          return folio;
        }
        folio.unlock();
        cache.put(folio);
        continue;
      }
      folio = addNewFolioLocked(index);
      if (folio != null) {
        return folio;
      }
    }
  }

  /**
   * Adds a new locked, pinned folio at {@code index}, or returns null when one is there already:
   * the kernel's {@code filemap_add_folio} as readahead uses it.
   */
  public Folio addNewFolioLocked(long index) {
    if (pages.contains(index)) {
      return null;
    }
    Folio folio = cache.allocFolio(this, index);
    folio.lock();
    folio.tryGet();
    if (pages.putIfAbsent(index, folio) != null) {
      folio.unlock();
      cache.put(folio);
      cache.put(folio);
      return null;
    }
    cache.lruAdd(folio);
    return folio;
  }

  /**
   * Removes a locked folio from the index and drops the index's reference: the kernel's {@code
   * filemap_remove_folio}. Returns false if it was not this mapping's folio.
   */
  boolean removeFolio(Folio folio) {
    // The folio is locked, so it stays in its slot until we take it out below.
    if (!owns(folio)) {
      return false;
    }
    // page_cache_delete(): the marks go with the entry. Cleared only after the slot was emptied,
    // they could be the marks of a new folio added there meanwhile: a lost dirty page.
    if (pages.clearTag(folio.index(), DIRTY)) {
      cache.accountDirty(-1);
    }
    pages.clearTag(folio.index(), TOWRITE);
    folio.clear(FolioFlag.DIRTY);
    if (!pages.remove(folio.index(), folio)) {
      return false;
    }
    cache.accountRemoved();
    cache.put(folio);
    return true;
  }

  // ---- dirty and writeback state ----

  /**
   * Marks a folio dirty and tags it: the kernel's {@code filemap_dirty_folio}. Returns true if it
   * was clean before.
   */
  public boolean dirtyFolio(Folio folio) {
    if (folio.testAndSet(FolioFlag.DIRTY)) {
      return false;
    }
    if (pages.setTag(folio.index(), DIRTY)) {
      cache.accountDirty(1);
    }
    if (dirtiedWhenNanos == 0) {
      dirtiedWhenNanos = System.nanoTime();
    }
    cache.markMappingDirty(this);
    cache.cleancacheInvalidate(this, folio.index());
    return true;
  }

  /**
   * Clears the dirty bit before the folio is written: the kernel's {@code
   * folio_clear_dirty_for_io}. Returns whether it was dirty. The folio must be locked.
   */
  public boolean clearDirtyForIo(Folio folio) {
    if (!folio.testAndClear(FolioFlag.DIRTY)) {
      return false;
    }
    if (pages.clearTag(folio.index(), DIRTY)) {
      cache.accountDirty(-1);
    }
    return true;
  }

  /**
   * Puts a folio back to dirty because it could not be written now: {@code
   * folio_redirty_for_writepage}.
   */
  public void redirtyForWritepage(WritebackControl wbc, Folio folio) {
    wbc.setNrToWrite(wbc.nrToWrite() + 1);
    dirtyFolio(folio);
  }

  /** Sets writeback on a locked folio: the kernel's {@code folio_start_writeback}. */
  public void startWriteback(Folio folio) {
    if (folio.testAndSet(FolioFlag.WRITEBACK)) {
      throw new IllegalStateException("folio already under writeback: " + folio);
    }
    pages.setTag(folio.index(), WRITEBACK);
    pages.clearTag(folio.index(), TOWRITE);
    cache.accountWriteback(1);
  }

  /** Ends writeback and wakes waiters: the kernel's {@code folio_end_writeback}. */
  public void endWriteback(Folio folio) {
    pages.clearTag(folio.index(), WRITEBACK);
    if (!folio.testAndClear(FolioFlag.WRITEBACK)) {
      throw new IllegalStateException("end of writeback of folio not under writeback: " + folio);
    }
    cache.accountWriteback(-1);
  }

  /** When the oldest dirty data of this mapping was dirtied ({@link System#nanoTime()}), or 0. */
  public long dirtiedWhen() {
    return dirtiedWhenNanos;
  }

  void clearDirtiedWhenIfClean() {
    if (!pages.anyTagged(DIRTY)) {
      dirtiedWhenNanos = 0;
    }
  }

  // ---- tags ----

  /** First index {@code >= from} and {@code <= end} carrying {@code tag}, or -1. */
  public long nextTagged(Tag tag, long from, long end) {
    return pages.nextTagged(tag.mark, from, end);
  }

  /** Whether {@code index} carries {@code tag}. */
  public boolean isTagged(Tag tag, long index) {
    return pages.isTagged(index, tag.mark);
  }

  /**
   * Copies the dirty tag to the towrite tag in {@code [start, end]}: the kernel's {@code
   * tag_pages_for_writeback}, so that pages dirtied later do not extend a data-integrity pass.
   */
  public void tagPagesForWriteback(long start, long end) {
    for (long i = pages.nextTagged(DIRTY, start, end);
        i >= 0;
        i = i == Long.MAX_VALUE ? -1 : pages.nextTagged(DIRTY, i + 1, end)) {
      pages.setTag(i, TOWRITE);
    }
  }

  public long writebackIndex() {
    return writebackIndex;
  }

  public void setWritebackIndex(long index) {
    this.writebackIndex = index;
  }

  // ---- errors ----

  /**
   * Records a writeback error: the kernel's {@code mapping_set_error}. Both the error sequence
   * (reported once per open file) and the 2.6-style flag (reported once in all) are set.
   */
  public void setError(int errno) {
    if (errno == 0) {
      return;
    }
    wbErr.set(errno);
    asFlags.getAndUpdate(f -> f | (errno == 28 ? AS_ENOSPC : AS_EIO));
  }

  /** The writeback error sequence, sampled by each open file. */
  public Errseq wbErr() {
    return wbErr;
  }

  /**
   * Tests and clears the 2.6 error flags: the kernel's {@code filemap_check_errors}. Returns the
   * errno of the flag found (ENOSPC wins as the kernel's order has it) or 0.
   */
  public int checkAndClearAsErrors() {
    int flags = asFlags.getAndSet(0);
    if ((flags & AS_ENOSPC) != 0) {
      return 28;
    }
    return (flags & AS_EIO) != 0 ? 5 : 0;
  }

  // ---- truncation ----

  /**
   * Drops every folio from {@code fromIndex} on, waiting for their I/O: the kernel's {@code
   * truncate_inode_pages}. Dirty data there is discarded.
   */
  public void truncatePages(long fromIndex) {
    List<Folio> victims = new ArrayList<>();
    pages.forEachFrom(fromIndex, victims::add);
    for (Folio folio : victims) {
      if (!folio.tryGet()) {
        continue;
      }
      cache.blockLayer().flushPlug();
      folio.lock();
      folio.waitUntilClear(FolioFlag.WRITEBACK);
      removeFolio(folio);
      folio.unlock();
      cache.put(folio);
    }
    cache.cleancacheInvalidateInode(this);
  }

  @Override
  public String toString() {
    return "Mapping{" + pool + " ino=" + host.ino() + " pages=" + pages.size() + "}";
  }
}
