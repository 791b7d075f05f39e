package org.mpage.jmx;

import java.util.Map;

/**
 * The engine ({@code org.mpage:type=Engine,name=engine}): its page cache now and its I/O counters
 * since it started, as {@code ./mpage --stats} and {@code mpage:stat} print them. A counter the
 * engine does not report reads as -1.
 */
public interface EngineMXBean {
  /** Pages in the page cache ({@code pages.cached}). */
  long getCachedPages();

  /** The page cache limit in pages. */
  long getCacheLimitPages();

  /** Dirty pages. */
  long getDirtyPages();

  /** The dirty limit above which writers write back their own pages. */
  long getDirtyLimitPages();

  /** Pages under writeback now. */
  long getWritebackPages();

  /** Clean pages evicted to stay under the limit. */
  long getEvictedPages();

  /** get_block calls (mpage maps many blocks per call). */
  long getGetBlockCalls();

  /** Pages mpage gave to the buffer path ({@code confused}). */
  long getBufferPathFallbacks();

  /** Read BIOs submitted. */
  long getBiosRead();

  /** Read BIOs of metadata. */
  long getBiosReadMeta();

  /** Write BIOs submitted. */
  long getBiosWrite();

  /** Flush BIOs submitted. */
  long getBiosFlush();

  /** Sectors read. */
  long getSectorsRead();

  /** Sectors written. */
  long getSectorsWritten();

  /** BIOs merged by the plug. */
  long getMerges();

  /** Synchronous rw_page I/Os. */
  long getRwPageIos();

  /** Page cache lookups that found the page. */
  long getCacheHits();

  /** Page cache lookups that did not. */
  long getCacheMisses();

  /** Every counter by the engine's own name. */
  Map<String, Long> getStatistics();
}
