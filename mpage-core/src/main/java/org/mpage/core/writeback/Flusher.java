package org.mpage.core.writeback;

import java.util.concurrent.TimeUnit;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.pagecache.PageCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background flusher thread: wakes every {@code interval}, and whenever writers pass the dirty
 * limit, and writes back the mappings whose oldest dirty data is older than {@code expire}, in
 * chunks, as the kernel's per-device writeback worker does with {@code dirty_expire_centisecs}.
 */
public final class Flusher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);
  private static final long CHUNK_PAGES = 1024;

  private final PageCache cache;
  private final long intervalNanos;
  private final long expireNanos;
  private final Thread thread;
  private final Object wake = new Object();
  private boolean kicked;
  private volatile boolean closed;

  public Flusher(PageCache cache, long intervalMillis, long expireMillis) {
    this.cache = cache;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    this.expireNanos = TimeUnit.MILLISECONDS.toNanos(expireMillis);
    this.thread = new Thread(this::run, "mpage-flusher");
    this.thread.setDaemon(true);
    cache.setFlusherWakeup(this::wakeup);
  }

  public Flusher start() {
    thread.start();
    return this;
  }

  /** Asks for a pass now (dirty limit exceeded); everything dirty counts as expired. */
  public void wakeup() {
    synchronized (wake) {
      kicked = true;
      wake.notifyAll();
    }
  }

  private void run() {
    while (!closed) {
      boolean all;
      synchronized (wake) {
        if (!kicked) {
          try {
            TimeUnit.NANOSECONDS.timedWait(wake, intervalNanos);
          } catch (InterruptedException e) {
            if (closed) {
              return;
            }
          }
        }
        all = kicked;
        kicked = false;
      }
      if (!closed) {
        writebackPass(all);
      }
    }
  }

  /** One pass over dirty mappings; {@code all} ignores the expiry time. */
  void writebackPass(boolean all) {
    long now = System.nanoTime();
    for (Mapping mapping : cache.dirtyMappings()) {
      long since = mapping.dirtiedWhen();
      boolean expired = since != 0 && now - since >= expireNanos;
      if (!all && !expired) {
        continue;
      }
      if (all
          && !expired
          && mapping.isMetadata()
          && mapping.nrDirty() < cache.dirtyLimitPages() / 4) {
        // A pass forced by writers over the dirty limit is for their data. The few metadata
        // blocks (bitmap, inode table, indirect blocks) are dirtied again by every chunk of a
        // streaming write; writing them on each such pass wrote the same blocks over and over.
        // They go out when they expire, at sync, or when there are many of them.
        continue;
      }
      try {
        mapping.ops().writepages(mapping, WritebackControl.background(CHUNK_PAGES));
      } catch (RuntimeException e) {
        LOG.error("background writeback of {} failed", mapping, e);
      }
      cache.markMappingClean(mapping);
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
