package org.mpage.core.block;

import java.util.ArrayList;
import java.util.List;
import org.mpage.api.block.Bio;

/**
 * BIOs held back on one thread so that adjacent ones can be merged into one device request before
 * dispatch: the kernel's {@code struct blk_plug}. Obtained from {@link BlockLayer#startPlug()} and
 * closed with {@link #close()} (the kernel's {@code blk_finish_plug}); plugs nest, only the
 * outermost one dispatches.
 */
public final class Plug implements AutoCloseable {
  /** Requests a plug holds before it flushes itself: the kernel's {@code BLK_MAX_REQUEST_COUNT}. */
  static final int MAX_REQUESTS = 32;

  private final BlockLayer layer;
  private final Thread owner;

  /** Each request is one or more BIOs that will reach the device as one. */
  final List<List<Bio>> requests = new ArrayList<>();

  int depth = 1;

  Plug(BlockLayer layer) {
    this.layer = layer;
    this.owner = Thread.currentThread();
  }

  /** Number of requests waiting. */
  public int pending() {
    return requests.size();
  }

  @Override
  public void close() {
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("plug closed by another thread than its owner");
    }
    layer.finishPlug(this);
  }
}
