package org.mpage.core.pagecache;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Cleancache;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.Inode;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.BlockLayer;

/**
 * All cached pages of one engine: memory, the size limit with eviction of clean pages (CLOCK over
 * an insertion queue), dirty accounting with throttling of writers, the set of mappings that need
 * writeback, and the optional cleancache that catches evicted clean pages.
 *
 * <p>The limit is soft: when nothing is evictable (every page dirty, locked or pinned) the cache
 * grows rather than deadlock; writers are throttled so dirty pages cannot outrun writeback.
 */
public final class PageCache {
  private final BlockLayer blockLayer;
  private final PageArena arena = new PageArena();
  private final long limitPages;
  private final long dirtyLimitPages;
  private final AtomicLong nrPages = new AtomicLong();
  private final AtomicLong nrDirty = new AtomicLong();
  private final AtomicLong nrWriteback = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();
  private final ConcurrentLinkedQueue<Folio> lru = new ConcurrentLinkedQueue<>();
  private final Set<Mapping> dirtyMappings = ConcurrentHashMap.newKeySet();
  private final Object writebackWaiters = new Object();
  private volatile Cleancache cleancache;
  private volatile Runnable flusherWakeup = () -> {};

  /**
   * @param limitPages most pages to keep (soft, see class comment); at least 16
   * @param dirtyLimitPages dirty plus writeback pages above which writers are throttled
   */
  public PageCache(BlockLayer blockLayer, long limitPages, long dirtyLimitPages) {
    if (limitPages < 16) {
      throw new IllegalArgumentException(
          "page cache limit must be at least 16 pages: " + limitPages);
    }
    if (dirtyLimitPages < 1 || dirtyLimitPages > limitPages) {
      throw new IllegalArgumentException(
          "dirty limit " + dirtyLimitPages + " not in 1.." + limitPages);
    }
    this.blockLayer = blockLayer;
    this.limitPages = limitPages;
    this.dirtyLimitPages = dirtyLimitPages;
  }

  public BlockLayer blockLayer() {
    return blockLayer;
  }

  /** A new, empty mapping for {@code host}. */
  public Mapping newMapping(Inode host, AddressSpaceOps ops, String pool) {
    return new Mapping(this, host, ops, pool, blockLayer.stats().pool(pool));
  }

  public void setCleancache(Cleancache cleancache) {
    this.cleancache = cleancache;
  }

  public Cleancache cleancache() {
    return cleancache;
  }

  public void setFlusherWakeup(Runnable wakeup) {
    this.flusherWakeup = wakeup;
  }

  /** Dirty plus writeback pages above which writers are throttled. */
  public long dirtyLimitPages() {
    return dirtyLimitPages;
  }

  public long limitPages() {
    return limitPages;
  }

  public long nrPages() {
    return nrPages.get();
  }

  public long nrDirty() {
    return nrDirty.get();
  }

  public long nrWriteback() {
    return nrWriteback.get();
  }

  public long evictions() {
    return evictions.get();
  }

  /** Mappings with dirty pages, for the flusher. */
  public List<Mapping> dirtyMappings() {
    return new ArrayList<>(dirtyMappings);
  }

  // ---- folio memory ----

  Folio allocFolio(Mapping mapping, long index) {
    if (nrPages.get() >= limitPages) {
      shrink(32);
    }
    nrPages.incrementAndGet();
    return new Folio(mapping, index, arena.allocate());
  }

  void lruAdd(Folio folio) {
    lru.add(folio);
  }

  void accountRemoved() {
    nrPages.decrementAndGet();
  }

  /** Drops a reference; the last one returns the folio's memory. */
  public void put(Folio folio) {
    if (folio.put()) {
      arena.free(folio.rawMemory());
    }
  }

  /**
   * Evicts up to {@code nr} clean, unlocked, unpinned folios, giving each one a second chance when
   * it was referenced since the last scan. Returns how many were evicted.
   */
  public int shrink(int nr) {
    int evicted = 0;
    // A bounded sweep of the clock hand: the queue's size() would walk the whole queue.
    int budget = Math.max(64, nr * 16);
    while (evicted < nr && budget-- > 0) {
      Folio folio = lru.poll();
      if (folio == null) {
        break;
      }
      Mapping mapping = (Mapping) folio.mapping();
      if (!mapping.owns(folio)) {
        continue; // truncated: already out of the index
      }
      if (folio.testAndClear(FolioFlag.REFERENCED) || !tryEvict(mapping, folio)) {
        lru.add(folio);
        continue;
      }
      evicted++;
    }
    return evicted;
  }

  private boolean tryEvict(Mapping mapping, Folio folio) {
    if (!folio.tryLock()) {
      return false;
    }
    try {
      // Only the index's reference may remain: anyone else may still be reading the memory.
      if (folio.isDirty() || folio.isWriteback() || folio.refcount() != 1 || busyBuffers(folio)) {
        return false;
      }
      if (folio.isUptodate()) {
        Cleancache cc = cleancache;
        if (cc != null) {
          cc.putPage(mapping.pool(), mapping.host().ino(), folio.index(), folio);
        }
      }
      folio.setBuffers(null);
      mapping.removeFolio(folio);
      evictions.incrementAndGet();
      return true;
    } finally {
      folio.unlock();
    }
  }

  private static boolean busyBuffers(Folio folio) {
    BufferHead head = folio.buffers();
    if (head == null) {
      return false;
    }
    BufferHead bh = head;
    do {
      if (bh.isDirty() || bh.isLocked() || bh.count() > 0) {
        return true;
      }
      bh = bh.thisPage();
    } while (bh != head);
    return false;
  }

  // ---- dirty accounting and throttling ----

  void accountDirty(int delta) {
    nrDirty.addAndGet(delta);
  }

  void accountWriteback(int delta) {
    nrWriteback.addAndGet(delta);
    if (delta < 0) {
      synchronized (writebackWaiters) {
        writebackWaiters.notifyAll();
      }
    }
  }

  void markMappingDirty(Mapping mapping) {
    dirtyMappings.add(mapping);
  }

  /** Forgets a mapping that has no dirty pages left. */
  public void markMappingClean(Mapping mapping) {
    if (!mapping.hasDirtyPages()) {
      dirtyMappings.remove(mapping);
      mapping.clearDirtiedWhenIfClean();
      if (mapping.hasDirtyPages()) {
        dirtyMappings.add(mapping);
      }
    }
  }

  /**
   * Throttles a writer that just dirtied pages of {@code mapping}: the kernel's {@code
   * balance_dirty_pages}. Above the dirty limit the writer first writes back some of its own pages
   * (as pre-2.6.35 kernels did), then waits, bounded, for writeback to bring the total down.
   */
  public void balanceDirtyPages(Mapping mapping) {
    if (nrDirty.get() + nrWriteback.get() <= dirtyLimitPages) {
      return;
    }
    flusherWakeup.run();
    if (mapping.hasDirtyPages()) {
      mapping.ops().writepages(mapping, WritebackControl.background(256));
      markMappingClean(mapping);
    }
    blockLayer.flushPlug();
    long deadline = System.nanoTime() + 5_000_000_000L;
    synchronized (writebackWaiters) {
      while (nrDirty.get() + nrWriteback.get() > dirtyLimitPages
          && nrWriteback.get() > 0
          && System.nanoTime() < deadline) {
        try {
          writebackWaiters.wait(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  // ---- cleancache hooks ----

  void cleancacheInvalidate(Mapping mapping, long index) {
    Cleancache cc = cleancache;
    if (cc != null) {
      cc.invalidatePage(mapping.pool(), mapping.host().ino(), index);
    }
  }

  void cleancacheInvalidateInode(Mapping mapping) {
    // Forgetting the whole inode is always allowed and cheaper than walking the truncated range.
    Cleancache cc = cleancache;
    if (cc != null) {
      cc.invalidateInode(mapping.pool(), mapping.host().ino());
    }
  }

  /** Bytes of direct memory reserved for pages. */
  public long reservedBytes() {
    return arena.reservedBytes();
  }
}
