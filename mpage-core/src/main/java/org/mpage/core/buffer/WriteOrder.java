// Ordered metadata writes: the dependencies of soft updates, without their rollback
package org.mpage.core.buffer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * Which metadata blocks must wait for which before they go to the disk. An edge {@code first ->
 * then} holds {@code then} back until {@code first} has been written and flushed.
 *
 * <p>The graph is kept acyclic by its user (the buffer cache writes a block out before an edge
 * would close a cycle), so repeatedly writing the blocks that wait for nothing and releasing the
 * edges they satisfied empties it.
 */
final class WriteOrder {
  /** then -> the blocks it waits for. */
  private final Map<Long, Set<Long>> waitsFor = new HashMap<>();

  /** first -> how many blocks wait for it. */
  private final Map<Long, Integer> waitedOn = new HashMap<>();

  synchronized boolean isEmpty() {
    return waitsFor.isEmpty();
  }

  /** Whether {@code block} waits for another block. */
  synchronized boolean isHeld(long block) {
    return waitsFor.containsKey(block);
  }

  /** Whether {@code block} takes part in any edge. */
  synchronized boolean involves(long block) {
    return waitsFor.containsKey(block) || waitedOn.containsKey(block);
  }

  synchronized void add(long first, long then) {
    if (waitsFor.computeIfAbsent(then, k -> new HashSet<>()).add(first)) {
      waitedOn.merge(first, 1, Integer::sum);
    }
  }

  /** Whether {@code target} is {@code from} or something {@code from} waits for, transitively. */
  synchronized boolean waitsTransitively(long from, long target) {
    return closure(from).contains(target);
  }

  /** {@code block} and every block it waits for, transitively. */
  synchronized Set<Long> closure(long block) {
    Set<Long> seen = new HashSet<>();
    Deque<Long> todo = new ArrayDeque<>();
    todo.push(block);
    while (!todo.isEmpty()) {
      long b = todo.pop();
      if (seen.add(b)) {
        for (long f : waitsFor.getOrDefault(b, Set.of())) {
          todo.push(f);
        }
      }
    }
    return seen;
  }

  /** The blocks others wait for that pass {@code test}. */
  synchronized Set<Long> firsts(LongPredicate test) {
    Set<Long> out = new HashSet<>();
    for (long first : waitedOn.keySet()) {
      if (test.test(first)) {
        out.add(first);
      }
    }
    return out;
  }

  /**
   * Drops every edge whose first block is {@code durable}; returns how many were dropped. Called
   * after a device flush, for blocks that were clean before it was issued.
   */
  synchronized int release(LongPredicate durable) {
    int dropped = 0;
    for (Iterator<Map.Entry<Long, Set<Long>>> it = waitsFor.entrySet().iterator(); it.hasNext(); ) {
      Set<Long> firsts = it.next().getValue();
      for (Iterator<Long> f = firsts.iterator(); f.hasNext(); ) {
        long first = f.next();
        if (durable.test(first)) {
          f.remove();
          waitedOn.computeIfPresent(first, (k, n) -> n == 1 ? null : n - 1);
          dropped++;
        }
      }
      if (firsts.isEmpty()) {
        it.remove();
      }
    }
    return dropped;
  }
}
