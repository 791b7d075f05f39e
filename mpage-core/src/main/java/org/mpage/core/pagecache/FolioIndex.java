package org.mpage.core.pagecache;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.mpage.api.page.Folio;

/**
 * A file's page index: folios by page index, in nodes of {@value #NODE_SLOTS} slots as the kernel's
 * xarray keeps them. A lookup finds its node (the last node used is remembered, so a sequential
 * reader goes to the node table once per {@value #NODE_SLOTS} pages) and reads one slot; nothing is
 * boxed or allocated per page. Thread-safe: slots change by compare-and-set.
 *
 * <p>Each node also carries the xarray's marks: a bit per slot for each of {@value #TAGS} tags
 * (dirty, writeback, towrite), so that tagging a page allocates nothing and the ordered walks of
 * writeback find the next tagged page word by word.
 *
 * <p>Nodes stay once made, empty or not, until the index is dropped with its file: at a few bytes
 * per cached page of the file's extent that costs less than the races of freeing them.
 */
final class FolioIndex {
  static final int NODE_SHIFT = 8;
  static final int NODE_SLOTS = 1 << NODE_SHIFT;
  private static final int NODE_MASK = NODE_SLOTS - 1;
  static final int TAGS = 3;
  private static final int WORDS = NODE_SLOTS / 64;

  /** One node: a slot per page of its range. */
  private static final class Node {
    final long key;
    final AtomicReferenceArray<Folio> slots = new AtomicReferenceArray<>(NODE_SLOTS);
    final AtomicLongArray marks = new AtomicLongArray(TAGS * WORDS);

    Node(long key) {
      this.key = key;
    }
  }

  private final ConcurrentSkipListMap<Long, Node> nodes = new ConcurrentSkipListMap<>();
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong[] tagged = {new AtomicLong(), new AtomicLong(), new AtomicLong()};

  /**
   * Nodes used lately, by key modulo the array's size: a reader, a writer and writeback working at
   * different places of one file (or the buffer cache's scattered metadata blocks) each find their
   * node here without going to the ordered node table. Races only cost a lookup: a node's fields
   * are final, so a node read from here is complete.
   */
  private final Node[] recent = new Node[256];

  private Node node(long index, boolean create) {
    long key = index >>> NODE_SHIFT;
    int slot = (int) ((key ^ (key >>> 8) ^ (key >>> 16)) & (recent.length - 1));
    Node n = recent[slot];
    if (n != null && n.key == key) {
      return n;
    }
    n = create ? nodes.computeIfAbsent(key, Node::new) : nodes.get(key);
    if (n != null) {
      recent[slot] = n;
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

  // ---- marks ----

  /** Sets {@code tag} at {@code index}; true if it was clear. */
  boolean setTag(long index, int tag) {
    Node n = node(index, true);
    int word = tag * WORDS + (int) ((index & NODE_MASK) >>> 6);
    long bit = 1L << (index & 63);
    // Counted before the bit is set: clearTag takes a zero count for "nothing tagged", so a count
    // that lagged behind a bit already set could make a racing clear leave that bit behind.
    tagged[tag].incrementAndGet();
    while (true) {
      long old = n.marks.get(word);
      if ((old & bit) != 0) {
        tagged[tag].decrementAndGet();
        return false;
      }
      if (n.marks.compareAndSet(word, old, old | bit)) {
        return true;
      }
    }
  }

  /** Clears {@code tag} at {@code index}; true if it was set. */
  boolean clearTag(long index, int tag) {
    if (tagged[tag].get() == 0) {
      return false;
    }
    Node n = node(index, false);
    if (n == null) {
      return false;
    }
    int word = tag * WORDS + (int) ((index & NODE_MASK) >>> 6);
    long bit = 1L << (index & 63);
    while (true) {
      long old = n.marks.get(word);
      if ((old & bit) == 0) {
        return false;
      }
      if (n.marks.compareAndSet(word, old, old & ~bit)) {
        tagged[tag].decrementAndGet();
        return true;
      }
    }
  }

  boolean isTagged(long index, int tag) {
    Node n = node(index, false);
    return n != null
        && (n.marks.get(tag * WORDS + (int) ((index & NODE_MASK) >>> 6)) & (1L << (index & 63)))
            != 0;
  }

  /** How many indices carry {@code tag}. */
  long tagCount(int tag) {
    return tagged[tag].get();
  }

  /** Whether any index carries {@code tag}. */
  boolean anyTagged(int tag) {
    return tagged[tag].get() > 0;
  }

  /** The first index in {@code [from, end]} carrying {@code tag}, or -1. */
  long nextTagged(int tag, long from, long end) {
    if (tagged[tag].get() == 0 || from > end) {
      return -1;
    }
    for (Node n : nodes.tailMap(from >>> NODE_SHIFT, true).values()) {
      long base = n.key << NODE_SHIFT;
      if (base > end) {
        return -1;
      }
      int first = from > base ? (int) (from - base) : 0;
      for (int w = first >>> 6; w < WORDS; w++) {
        long bits = n.marks.get(tag * WORDS + w);
        if (w == first >>> 6) {
          bits &= -1L << (first & 63);
        }
        if (bits != 0) {
          long index = base + w * 64L + Long.numberOfTrailingZeros(bits);
          return index <= end ? index : -1;
        }
      }
    }
    return -1;
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
