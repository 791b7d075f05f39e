package org.mpage.core.pagecache;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mpage.api.page.Cleancache;
import org.mpage.api.page.Folio;

/**
 * A simple in-memory cleancache backend: a bounded LRU of copies of evicted clean pages, standing
 * in for the kernel's tmem/zcache backends. Gets are exclusive (a hit removes the copy), as with
 * tmem's ephemeral pools. Thread-safe by a single lock; it is off the hot path.
 */
public final class VictimCleancache implements Cleancache {
  private record Key(String pool, long ino, long index) {}

  private final int capacityPages;
  private final LinkedHashMap<Key, byte[]> pages;

  public VictimCleancache(int capacityPages) {
    if (capacityPages < 1) {
      throw new IllegalArgumentException("cleancache capacity must be positive: " + capacityPages);
    }
    this.capacityPages = capacityPages;
    this.pages = new LinkedHashMap<>(16, 0.75f, true);
  }

  @Override
  public synchronized boolean getPage(String pool, long ino, long index, Folio folio) {
    byte[] copy = pages.remove(new Key(pool, ino, index));
    if (copy == null) {
      return false;
    }
    folio.memory().put(copy);
    return true;
  }

  @Override
  public synchronized void putPage(String pool, long ino, long index, Folio folio) {
    byte[] copy = new byte[Folio.PAGE_SIZE];
    ByteBuffer src = folio.memory();
    src.get(copy);
    pages.put(new Key(pool, ino, index), copy);
    if (pages.size() > capacityPages) {
      Iterator<Map.Entry<Key, byte[]>> it = pages.entrySet().iterator();
      it.next();
      it.remove();
    }
  }

  @Override
  public synchronized void invalidatePage(String pool, long ino, long index) {
    pages.remove(new Key(pool, ino, index));
  }

  @Override
  public synchronized void invalidateInode(String pool, long ino) {
    pages.keySet().removeIf(k -> k.ino() == ino && k.pool().equals(pool));
  }

  /** Pages held. */
  public synchronized int size() {
    return pages.size();
  }
}
