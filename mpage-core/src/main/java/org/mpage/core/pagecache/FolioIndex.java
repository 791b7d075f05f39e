package org.mpage.core.pagecache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.mpage.api.page.Folio;

/**
 * A file's page index: folios by page index, in nodes of {@value #NODE_SLOTS} slots as the kernel's
 * xarray keeps them. A lookup finds its node (the last node used is remembered, so a sequential
 * reader goes to the node table once per {@value #NODE_SLOTS} pages) and reads one slot; nothing is
 * boxed or allocated per page. Thread-safe: slots change by compare-and-set.
 *
 * <p>Nodes stay once made, empty or not, until the index is dropped with its file: at a few bytes
 * per cached page of the file's extent that costs less than the races of freeing them.
 */
final class FolioIndex {
  static final int NODE_SHIFT = 8;
  static final int NODE_SLOTS = 1 << NODE_SHIFT;
  private static final int NODE_MASK = NODE_SLOTS - 1;

  /** One node: a slot per page of its range. */
  private static final class Node {
    final long key;
    final AtomicReferenceArray<Folio> slots = new AtomicReferenceArray<>(NODE_SLOTS);

    Node(long key) {
      this.key = key;
    }
  }

  private final ConcurrentHashMap<Long, Node> nodes = new ConcurrentHashMap<>();
  private final AtomicLong count = new AtomicLong();
  private volatile Node last;

  private Node node(long index, boolean create) {
    long key = index >>> NODE_SHIFT;
    Node n = last;
    if (n != null && n.key == key) {
      return n;
    }
    n = create ? nodes.computeIfAbsent(key, Node::new) : nodes.get(key);
    if (n != null) {
      last = n;
    }
    return n;
  }

  /** The folio at {@code index}, or null. */
  Folio get(long index) {
    Node n = node(index, false);
    return n == null ? null : n.slots.get((int) (index & NODE_MASK));
  }

  /**
   * Puts {@code folio} at {@code index} unless a folio is there; returns the one there, or null.
   */
  Folio putIfAbsent(long index, Folio folio) {
    Node n = node(index, true);
    int slot = (int) (index & NODE_MASK);
    while (true) {
      if (n.slots.compareAndSet(slot, null, folio)) {
        count.incrementAndGet();
        return null;
      }
      Folio there = n.slots.get(slot);
      if (there != null) {
        return there;
      }
    }
  }

  /** Removes {@code folio} from {@code index} if it is there; returns whether it was. */
  boolean remove(long index, Folio folio) {
    Node n = node(index, false);
    if (n != null && n.slots.compareAndSet((int) (index & NODE_MASK), folio, null)) {
      count.decrementAndGet();
      return true;
    }
    return false;
  }

  /** Whether a folio is at {@code index}. */
  boolean contains(long index) {
    return get(index) != null;
  }

  long size() {
    return count.get();
  }

  /** Each folio at or after {@code fromIndex}, in no particular order of nodes. */
  void forEachFrom(long fromIndex, Consumer<Folio> action) {
    long fromKey = fromIndex >>> NODE_SHIFT;
    for (Node n : nodes.values()) {
      if (n.key < fromKey) {
        continue;
      }
      for (int i = 0; i < NODE_SLOTS; i++) {
        Folio f = n.slots.get(i);
        if (f != null && f.index() >= fromIndex) {
          action.accept(f);
        }
      }
    }
  }
}
