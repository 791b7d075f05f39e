package org.mpage.core.disk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named, swappable block device, like a device-mapper device over a table that can be replaced:
 * mounts bind to the slot, backends come and go under it.
 *
 * <ul>
 *   <li>{@link #detach()} (the backend's service is going away) suspends the slot: BIOs already at
 *       the backend complete there before it is released, new BIOs wait.
 *   <li>{@link #attach(BlockDevice)} checks the newcomer's identity (for ext2, the superblock UUID)
 *       and capacity, then switches and resubmits the waiting BIOs in order. A wrong device is
 *       refused and the slot stays suspended.
 *   <li>If nothing is attached within the swap timeout, waiting BIOs fail with {@link
 *       BlockStatus#IOERR} (readers and fsync see the error; nothing is reported written that was
 *       not), and so does every later BIO until a backend is attached again.
 * </ul>
 *
 * Thread-safe; the slot's monitor guards its state.
 */
public final class DeviceSlot implements BlockDevice {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceSlot.class);

  /** Where the slot is. */
  public enum State {
    /** A backend is attached and I/O flows. */
    ACTIVE,
    /** No backend; BIOs wait for one. */
    SUSPENDED,
    /** No backend and the swap timeout passed: BIOs fail. */
    FAILED
  }

  private final String name;
  private final long capacitySectors;
  private final long timeoutMillis;
  private final ScheduledExecutorService timer;
  private volatile Predicate<BlockDevice> identity = d -> true;
  private BlockDevice backend;
  private BlockDevice previous;
  private State state;
  private int inFlight;
  private final Deque<Bio> waiting = new ArrayDeque<>();
  private ScheduledFuture<?> timeout;
  private long swaps;

  /**
   * @param first the first backend (its capacity is the slot's)
   * @param timeoutMillis how long BIOs wait for a replacement before failing
   */
  public DeviceSlot(String name, BlockDevice first, long timeoutMillis) {
    this.name = Objects.requireNonNull(name, "name");
    this.backend = Objects.requireNonNull(first, "first backend");
    this.capacitySectors = first.capacitySectors();
    this.timeoutMillis = timeoutMillis;
    this.state = State.ACTIVE;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mpage-slot-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Sets the check a replacement must pass (e.g. the filesystem's UUID matches). */
  public void setIdentityCheck(Predicate<BlockDevice> check) {
    this.identity = Objects.requireNonNull(check);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long capacitySectors() {
    return capacitySectors;
  }

  public synchronized State state() {
    return state;
  }

  /** How many times another backend was attached than the one that left. */
  public synchronized long swaps() {
    return swaps;
  }

  /** The attached backend, or null while suspended or failed. */
  public synchronized BlockDevice backend() {
    return backend;
  }

  public synchronized int waitingBios() {
    return waiting.size();
  }

  @Override
  public void submit(Bio bio) {
    BlockDevice target;
    synchronized (this) {
      switch (state) {
        case SUSPENDED -> {
          waiting.addLast(bio);
          return;
        }
        case FAILED -> target = null;
        default -> {
          target = backend;
          inFlight++;
        }
      }
    }
    if (target == null) {
      bio.endio(BlockStatus.IOERR);
      return;
    }
    Bio.EndIo inner = bio.endIo();
    bio.setEndIo(
        b -> {
          try {
            if (inner != null) {
              inner.endio(b);
            }
          } finally {
            synchronized (DeviceSlot.this) {
              inFlight--;
              DeviceSlot.this.notifyAll();
            }
          }
        });
    target.submit(bio);
  }

  /**
   * The backend is going away: suspends new I/O, waits (at most the swap timeout) for the I/O
   * already at the backend, and returns the released backend for its owner to close.
   */
  public BlockDevice detach() {
    BlockDevice old;
    synchronized (this) {
      if (state != State.ACTIVE) {
        return null;
      }
      state = State.SUSPENDED;
      old = backend;
      long deadline = System.currentTimeMillis() + timeoutMillis;
      while (inFlight > 0 && System.currentTimeMillis() < deadline) {
        try {
          wait(Math.max(1, deadline - System.currentTimeMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      backend = null;
      previous = old;
      timeout = timer.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
    }
    LOG.info("device {} suspended: backend {} released", name, old);
    return old;
  }

  private void expire() {
    List<Bio> failed;
    synchronized (this) {
      if (state != State.SUSPENDED) {
        return;
      }
      state = State.FAILED;
      failed = new ArrayList<>(waiting);
      waiting.clear();
    }
    LOG.warn(
        "device {}: no backend within {} ms, failing {} waiting BIOs",
        name,
        timeoutMillis,
        failed.size());
    for (Bio bio : failed) {
      bio.endio(BlockStatus.IOERR);
    }
  }

  /** Whether {@code dev} is the right device for this slot: same capacity, same identity. */
  public boolean accepts(BlockDevice dev) {
    return dev.capacitySectors() == capacitySectors && identity.test(dev);
  }

  /**
   * Offers a backend. Refused (false) when it is the wrong device (identity check, capacity) or a
   * backend is attached already; accepted, the waiting BIOs go to it in order.
   */
  public boolean attach(BlockDevice dev) {
    if (dev.capacitySectors() != capacitySectors) {
      LOG.warn(
          "device {}: refused {}: capacity {} sectors, expected {}",
          name,
          dev,
          dev.capacitySectors(),
          capacitySectors);
      return false;
    }
    synchronized (this) {
      if (state == State.ACTIVE) {
        return false;
      }
    }
    if (!identity.test(dev)) {
      LOG.warn(
          "device {}: refused {}: it is not the device the filesystem was mounted from", name, dev);
      return false;
    }
    List<Bio> resume;
    synchronized (this) {
      if (state == State.ACTIVE) {
        return false;
      }
      if (timeout != null) {
        timeout.cancel(false);
        timeout = null;
      }
      backend = dev;
      state = State.ACTIVE;
      if (dev != previous) {
        swaps++;
      }
      resume = new ArrayList<>(waiting);
      waiting.clear();
    }
    LOG.info("device {} resumed on {} with {} waiting BIOs", name, dev, resume.size());
    for (Bio bio : resume) {
      submit(bio);
    }
    return true;
  }

  @Override
  public DiskStats stats() {
    BlockDevice b;
    synchronized (this) {
      b = backend;
    }
    return b == null ? DiskStats.ZERO : b.stats();
  }

  /** Stops the timer; the current backend is its owner's to close. */
  @Override
  public void close() {
    timer.shutdownNow();
  }

  @Override
  public String toString() {
    return "DeviceSlot{" + name + " " + state() + "}";
  }
}
