package org.mpage.core;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.CachedFileData;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.Cleancache;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.core.block.BioTracer;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.block.IoStats;
import org.mpage.core.buffer.BufferCache;
import org.mpage.core.buffer.BufferLayer;
import org.mpage.core.file.FileEngine;
import org.mpage.core.mpage.Mpage;
import org.mpage.core.mpage.Revision;
import org.mpage.core.pagecache.PageCache;
import org.mpage.core.writeback.Flusher;

/**
 * One assembled stack: block layer, page cache, buffer layer, the mpage engine, open-file
 * operations and the flusher thread. No static state: two engines share nothing.
 */
public final class MpageEngine implements StorageEngine {
  /** Tunables, with the kernel's defaults where it has them. */
  public record Config(
      long cacheLimitPages,
      long dirtyLimitPages,
      int readAheadKb,
      long flushIntervalMillis,
      long dirtyExpireMillis,
      Revision revision,
      boolean startFlusher) {
    public Config {
      if (readAheadKb < 0) {
        throw new IllegalArgumentException("negative read_ahead_kb " + readAheadKb);
      }
      if (flushIntervalMillis <= 0 || dirtyExpireMillis < 0) {
        throw new IllegalArgumentException("flush interval must be positive, expiry not negative");
      }
    }

    /**
     * 256 MiB of cache, a fifth of it dirty at most, 128 KiB readahead, a flusher waking every 5 s
     * that writes data older than 30 s (dirty_writeback and dirty_expire centisecs), 6.3 behaviour.
     */
    public static Config defaults() {
      return new Config(65536, 65536 / 5, 128, 5000, 30000, Revision.V6_3, true);
    }

    public Config withCacheLimit(long pages, long dirtyPages) {
      return new Config(
          pages,
          dirtyPages,
          readAheadKb,
          flushIntervalMillis,
          dirtyExpireMillis,
          revision,
          startFlusher);
    }

    public Config withRevision(Revision r) {
      return new Config(
          cacheLimitPages,
          dirtyLimitPages,
          readAheadKb,
          flushIntervalMillis,
          dirtyExpireMillis,
          r,
          startFlusher);
    }

    public Config withReadAheadKb(int kb) {
      return new Config(
          cacheLimitPages,
          dirtyLimitPages,
          kb,
          flushIntervalMillis,
          dirtyExpireMillis,
          revision,
          startFlusher);
    }

    public Config withFlusher(boolean start, long intervalMillis, long expireMillis) {
      return new Config(
          cacheLimitPages,
          dirtyLimitPages,
          readAheadKb,
          intervalMillis,
          expireMillis,
          revision,
          start);
    }
  }

  private final BlockLayer blockLayer;
  private final PageCache pageCache;
  private final BufferLayer bufferLayer;
  private final Mpage mpage;
  private final FileEngine files;
  private final Flusher flusher;
  private volatile boolean bufferPathOnly;
  private volatile BioTracer tracer;

  public MpageEngine(Config config) {
    this.blockLayer = new BlockLayer();
    this.pageCache = new PageCache(blockLayer, config.cacheLimitPages(), config.dirtyLimitPages());
    this.bufferLayer = new BufferLayer(blockLayer, pageCache);
    this.mpage = new Mpage(bufferLayer, config.revision());
    this.files = new FileEngine(mpage, config.readAheadKb());
    this.flusher = new Flusher(pageCache, config.flushIntervalMillis(), config.dirtyExpireMillis());
    if (config.startFlusher()) {
      flusher.start();
    }
  }

  public BlockLayer blockLayer() {
    return blockLayer;
  }

  public PageCache pageCache() {
    return pageCache;
  }

  public BufferLayer bufferLayer() {
    return bufferLayer;
  }

  public Mpage mpage() {
    return mpage;
  }

  public FileEngine files() {
    return files;
  }

  public Flusher flusher() {
    return flusher;
  }

  /** Installs a second-chance cache for evicted clean pages (used by the 5.x revision). */
  public void setCleancache(Cleancache cleancache) {
    pageCache.setCleancache(cleancache);
  }

  @Override
  public BufferCache bufferCache(BlockDevice device, int blockSize) {
    return bufferLayer.bufferCache(device, blockSize);
  }

  /**
   * Files opened from now on read and write their pages through the buffer path only ({@code
   * block_read_full_folio}, {@code block_write_full_folio}), never through mpage: the reference the
   * benchmarks and differential tests compare mpage with.
   */
  public void setBufferPathOnly(boolean on) {
    this.bufferPathOnly = on;
  }

  /** Installs (or with null removes) a BIO tracer; an {@link AutoCloseable} one closes with us. */
  public void setTracer(BioTracer t) {
    this.tracer = t;
    blockLayer.setTracer(t);
  }

  @Override
  public CachedFileData cachedFile(String name, Inode inode, GetBlock getBlock, String pool) {
    return bufferPathOnly
        ? files.bufferPathFile(name, inode, getBlock, pool)
        : files.file(name, inode, getBlock, pool);
  }

  @Override
  public CachedFileData cachedFileAllocatingOnWrite(
      String name, Inode inode, GetBlock getBlock, String pool) {
    return bufferPathOnly
        ? files.bufferPathFile(name, inode, getBlock, pool)
        : files.fileAllocatingOnWrite(name, inode, getBlock, pool);
  }

  @Override
  public void forgetDevice(BlockDevice device) {
    BufferCache bc = bufferLayer.existingBufferCache(device);
    if (bc != null) {
      bc.sync();
      bc.mapping().truncatePages(0);
      bufferLayer.forgetDevice(device);
    }
  }

  @Override
  public org.mpage.api.block.BlockStatus flush(BlockDevice device) {
    return blockLayer.flushDevice(device);
  }

  @Override
  public org.mpage.api.block.BlockStatus submitBioWait(org.mpage.api.block.Bio bio) {
    return blockLayer.submitBioWait(bio);
  }

  @Override
  public Map<String, Long> statistics() {
    IoStats.Snapshot s = blockLayer.stats().snapshot();
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("bios.read", s.readBios());
    m.put("bios.read.meta", blockLayer.stats().metaReadBios());
    m.put("bios.write", s.writeBios());
    m.put("bios.flush", s.flushBios());
    m.put("sectors.read", s.sectorsRead());
    m.put("sectors.written", s.sectorsWritten());
    m.put("requests", s.requests());
    m.put("merges", s.merges());
    m.put("get_block.calls", s.getBlockCalls());
    m.put("buffer_path.fallbacks", s.bufferPathFallbacks());
    m.put("rw_page.ios", s.rwPageIos());
    m.put("cache.hits", s.cacheHits());
    m.put("cache.misses", s.cacheMisses());
    m.put("cleancache.hits", s.cleancacheHits());
    // The page cache now (gauges, not counters): what /proc/meminfo's Cached, Dirty and
    // Writeback say of the kernel's.
    m.put("pages.cached", pageCache.nrPages());
    m.put("pages.limit", pageCache.limitPages());
    m.put("pages.dirty", pageCache.nrDirty());
    m.put("pages.dirty.limit", pageCache.dirtyLimitPages());
    m.put("pages.writeback", pageCache.nrWriteback());
    m.put("pages.evicted", pageCache.evictions());
    return m;
  }

  @Override
  public Map<String, Long> statistics(String pool) {
    IoStats.PoolCounters c = blockLayer.stats().poolIfPresent(pool);
    if (c == null) {
      return Map.of();
    }
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("cache.hits", c.hits());
    m.put("cache.misses", c.misses());
    return m;
  }

  @Override
  public void close() {
    flusher.close();
    BioTracer t = tracer;
    if (t != null) {
      blockLayer.setTracer(null);
      if (t instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("closing the BIO tracer", e);
        }
      }
    }
  }
}
