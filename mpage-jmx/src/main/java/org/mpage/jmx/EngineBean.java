package org.mpage.jmx;

import java.util.Map;
import org.mpage.api.fs.StorageEngine;

/** {@link EngineMXBean} over the engine's {@link StorageEngine#statistics()}. */
final class EngineBean implements EngineMXBean {
  private final Sources sources;

  EngineBean(Sources sources) {
    this.sources = sources;
  }

  private long stat(String key) {
    Long v = getStatistics().get(key);
    return v == null ? -1 : v;
  }

  @Override
  public Map<String, Long> getStatistics() {
    StorageEngine engine = sources.engine();
    return engine == null ? Map.of() : engine.statistics();
  }

  @Override
  public long getCachedPages() {
    return stat("pages.cached");
  }

  @Override
  public long getCacheLimitPages() {
    return stat("pages.limit");
  }

  @Override
  public long getDirtyPages() {
    return stat("pages.dirty");
  }

  @Override
  public long getDirtyLimitPages() {
    return stat("pages.dirty.limit");
  }

  @Override
  public long getWritebackPages() {
    return stat("pages.writeback");
  }

  @Override
  public long getEvictedPages() {
    return stat("pages.evicted");
  }

  @Override
  public long getGetBlockCalls() {
    return stat("get_block.calls");
  }

  @Override
  public long getBufferPathFallbacks() {
    return stat("buffer_path.fallbacks");
  }

  @Override
  public long getBiosRead() {
    return stat("bios.read");
  }

  @Override
  public long getBiosReadMeta() {
    return stat("bios.read.meta");
  }

  @Override
  public long getBiosWrite() {
    return stat("bios.write");
  }

  @Override
  public long getBiosFlush() {
    return stat("bios.flush");
  }

  @Override
  public long getSectorsRead() {
    return stat("sectors.read");
  }

  @Override
  public long getSectorsWritten() {
    return stat("sectors.written");
  }

  @Override
  public long getMerges() {
    return stat("merges");
  }

  @Override
  public long getRwPageIos() {
    return stat("rw_page.ios");
  }

  @Override
  public long getCacheHits() {
    return stat("cache.hits");
  }

  @Override
  public long getCacheMisses() {
    return stat("cache.misses");
  }

  @Override
  public String toString() {
    return "Engine";
  }
}
