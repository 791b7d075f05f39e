package org.mpage.core.pagecache;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.mpage.api.page.Folio;

/**
 * Page memory: direct-memory chunks sliced into {@value Folio#PAGE_SIZE}-byte pages, recycled
 * through a free list, so that the hot path allocates no buffers and device I/O needs no copy
 * between heap and native memory. Thread-safe.
 */
public final class PageArena {
  private static final int PAGES_PER_CHUNK = 256;

  private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();
  private final AtomicLong reserved = new AtomicLong();

  /** A page of memory; its contents are undefined. */
  public ByteBuffer allocate() {
    ByteBuffer page = free.pollFirst();
    if (page != null) {
      return page;
    }
    synchronized (this) {
      page = free.pollFirst();
      if (page != null) {
        return page;
      }
      // Page-aligned, so that devices may do direct (O_DIRECT) I/O on folio memory.
      ByteBuffer chunk =
          ByteBuffer.allocateDirect((PAGES_PER_CHUNK + 1) * Folio.PAGE_SIZE)
              .alignedSlice(Folio.PAGE_SIZE)
              .limit(PAGES_PER_CHUNK * Folio.PAGE_SIZE)
              .slice();
      reserved.addAndGet((PAGES_PER_CHUNK + 1) * Folio.PAGE_SIZE);
      for (int i = 1; i < PAGES_PER_CHUNK; i++) {
        free.addLast(chunk.slice(i * Folio.PAGE_SIZE, Folio.PAGE_SIZE));
      }
      return chunk.slice(0, Folio.PAGE_SIZE);
    }
  }

  /** Returns a page obtained from {@link #allocate()}. */
  public void free(ByteBuffer page) {
    free.addFirst(page);
  }

  /** Bytes of direct memory reserved so far. */
  public long reservedBytes() {
    return reserved.get();
  }
}
