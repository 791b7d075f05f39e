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
 * edges they satisfied empties it. Each edge carries the generation it was last asked for in, so
 * that a release decided from a look at the buffers never drops an edge asked for after that look.
 */
final class WriteOrder {
  /** then -> (first -> generation of the latest request for the edge). */
  private final Map<Long, Map<Long, Long>> waitsFor = new HashMap<>();

  /** first -> how many blocks wait for it. */
  private final Map<Long, Integer> waitedOn = new HashMap<>();

  private long generation;

  /** A set of blocks found durable, and the generation up to which their edges may go. */
  record Durable(Set<Long> blocks, long generation) {}

  synchronized boolean isEmpty() {
    return waitsFor.isEmpty();
  }

  /** The blocks that wait for others, now. */
  synchronized Set<Long> held() {
    return new HashSet<>(waitsFor.keySet());
  }

  /** Whether {@code block} waits for another block. */
  synchronized boolean isHeld(long block) {
    return waitsFor.containsKey(block);
  }

  synchronized void add(long first, long then) {
    Map<Long, Long> firsts = waitsFor.computeIfAbsent(then, k -> new HashMap<>());
    if (firsts.put(first, ++generation) == null) {
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
        for (long f : waitsFor.getOrDefault(b, Map.of()).keySet()) {
          todo.push(f);
        }
      }
    }
    return seen;
  }

  /**
   * The blocks others wait for that wait for nothing themselves and pass {@code written}, as of
   * now. A block that waits for another is not durable in this sense even when written: what it
   * points to may not be.
   */
  synchronized Durable durable(LongPredicate written) {
    Set<Long> out = new HashSet<>();
    for (long first : waitedOn.keySet()) {
      if (!waitsFor.containsKey(first) && written.test(first)) {
        out.add(first);
      }
    }
    return new Durable(out, generation);
  }

  /**
   * Drops the edges from the blocks of {@code d} asked for no later than its generation; returns
   * how many were dropped. Called after a device flush issued after {@code d} was taken.
   */
  synchronized int release(Durable d) {
    int dropped = 0;
    for (Iterator<Map.Entry<Long, Map<Long, Long>>> it = waitsFor.entrySet().iterator();
        it.hasNext(); ) {
      Map<Long, Long> firsts = it.next().getValue();
      for (Iterator<Map.Entry<Long, Long>> f = firsts.entrySet().iterator(); f.hasNext(); ) {
        Map.Entry<Long, Long> e = f.next();
        if (d.blocks().contains(e.getKey()) && e.getValue() <= d.generation()) {
          f.remove();
          waitedOn.computeIfPresent(e.getKey(), (k, n) -> n == 1 ? null : n - 1);
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
