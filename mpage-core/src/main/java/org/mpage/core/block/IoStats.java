package org.mpage.core.block;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the block layer and the engine above it, for {@code --stats} and benchmarks: BIOs
 * submitted, sectors, plug merges, get_block calls, buffer-path fallbacks, cache hits and misses.
 * Thread-safe; {@link #snapshot()} reads a consistent-enough copy.
 */
public final class IoStats {
  final LongAdder readBios = new LongAdder();
  final LongAdder metaReadBios = new LongAdder();
  final LongAdder writeBios = new LongAdder();
  final LongAdder flushBios = new LongAdder();
  final LongAdder sectorsRead = new LongAdder();
  final LongAdder sectorsWritten = new LongAdder();
  final LongAdder merges = new LongAdder();
  final LongAdder requests = new LongAdder();
  private final LongAdder getBlockCalls = new LongAdder();
  private final LongAdder confused = new LongAdder();
  private final LongAdder rwPageIos = new LongAdder();
  private final LongAdder cacheHits = new LongAdder();
  private final LongAdder cacheMisses = new LongAdder();
  private final LongAdder cleancacheHits = new LongAdder();
  private final ConcurrentHashMap<String, PoolCounters> pools = new ConcurrentHashMap<>();

  /**
   * The page cache hits and misses of one pool (a device name, so a mount's share), counted into
   * the engine's totals as well. A mapping keeps its pool's counters, so that counting a page costs
   * no lookup.
   */
  public final class PoolCounters {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private PoolCounters() {}

    public void countHit() {
      hits.increment();
      cacheHits.increment();
    }

    public void countMiss() {
      misses.increment();
      cacheMisses.increment();
    }

    public long hits() {
      return hits.sum();
    }

    public long misses() {
      return misses.sum();
    }
  }

  /**
   * The counters of {@code pool} (made on first use; kept while the engine lives, like a device's
   * diskstats, so a remount goes on counting).
   */
  public PoolCounters pool(String pool) {
    return pools.computeIfAbsent(pool == null ? "" : pool, p -> new PoolCounters());
  }

  /** The counters of {@code pool}, or null if nothing of it was ever looked up. */
  public PoolCounters poolIfPresent(String pool) {
    return pools.get(pool);
  }

  /** One get_block call was made. */
  public void countGetBlock() {
    getBlockCalls.increment();
  }

  /** The engine fell back to the buffer path for a page. */
  public void countConfused() {
    confused.increment();
  }

  /** A page went through the synchronous rw_page path. */
  public void countRwPage() {
    rwPageIos.increment();
  }

  public void countCacheHit() {
    cacheHits.increment();
  }

  public void countCacheMiss() {
    cacheMisses.increment();
  }

  public void countCleancacheHit() {
    cleancacheHits.increment();
  }

  /**
   * A metadata block is read through the buffer cache ({@code __bread}): one read BIO that is not
   * file data. Counted here rather than flagged on the BIO, because ext2 submits these without
   * {@code REQ_META}, as the kernel's ext2 does. A read flagged {@code META} (metadata read past
   * the buffer cache, such as the superblock at mount) is counted by the block layer instead.
   */
  public void countMetaRead() {
    metaReadBios.increment();
  }

  /** Read BIOs of metadata blocks (see {@link #countMetaRead}). */
  public long metaReadBios() {
    return metaReadBios.sum();
  }

  /** A value snapshot. */
  public Snapshot snapshot() {
    return new Snapshot(
        readBios.sum(),
        writeBios.sum(),
        flushBios.sum(),
        sectorsRead.sum(),
        sectorsWritten.sum(),
        requests.sum(),
        merges.sum(),
        getBlockCalls.sum(),
        confused.sum(),
        rwPageIos.sum(),
        cacheHits.sum(),
        cacheMisses.sum(),
        cleancacheHits.sum());
  }

  /** Counter values at one moment. */
  public record Snapshot(
      long readBios,
      long writeBios,
      long flushBios,
      long sectorsRead,
      long sectorsWritten,
      long requests,
      long merges,
      long getBlockCalls,
      long bufferPathFallbacks,
      long rwPageIos,
      long cacheHits,
      long cacheMisses,
      long cleancacheHits) {

    /** Counters accumulated since {@code earlier}. */
    public Snapshot minus(Snapshot earlier) {
      return new Snapshot(
          readBios - earlier.readBios,
          writeBios - earlier.writeBios,
          flushBios - earlier.flushBios,
          sectorsRead - earlier.sectorsRead,
          sectorsWritten - earlier.sectorsWritten,
          requests - earlier.requests,
          merges - earlier.merges,
          getBlockCalls - earlier.getBlockCalls,
          bufferPathFallbacks - earlier.bufferPathFallbacks,
          rwPageIos - earlier.rwPageIos,
          cacheHits - earlier.cacheHits,
          cacheMisses - earlier.cacheMisses,
          cleancacheHits - earlier.cleancacheHits);
    }

    /** One line per counter, {@code name value}, for {@code --stats}. */
    public String format() {
      return "bios.read "
          + readBios
          + "\nbios.write "
          + writeBios
          + "\nbios.flush "
          + flushBios
          + "\nsectors.read "
          + sectorsRead
          + "\nsectors.written "
          + sectorsWritten
          + "\nrequests "
          + requests
          + "\nmerges "
          + merges
          + "\nget_block.calls "
          + getBlockCalls
          + "\nbuffer_path.fallbacks "
          + bufferPathFallbacks
          + "\nrw_page.ios "
          + rwPageIos
          + "\ncache.hits "
          + cacheHits
          + "\ncache.misses "
          + cacheMisses
          + "\ncleancache.hits "
          + cleancacheHits
          + "\n";
    }
  }
}
