package org.mpage.vfs.disk;

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
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.page.Folio;
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
 *   <li>{@link #suspend()} and {@link #resume()} are the operator's (as {@code dmsetup suspend} and
 *       {@code resume}): the backend stays attached, I/O already at it completes, new BIOs wait
 *       until resume however long that is. A backend leaving meanwhile suspends the slot as above;
 *       one attaching meanwhile gets the waiting BIOs only at resume.
 *   <li>While a {@link Migration} runs, each completed write marks its regions in the migration's
 *       dirty-region log; the switch to the target is a {@link #detach()} and an {@code
 *       attachMigrated} of the target (which may be larger than the slot).
 * </ul>
 *
 * The slot extends {@link ForwardingBlockDevice}: what it does not override (whether the backend
 * offers {@code rw_page}, {@code noMerges}, {@code stats}, anything the interface gains later) is
 * asked of the attached backend, or answered with the interface's defaults while none is attached.
 * Its own are the name, capacity and logical block size (fixed by the first backend, as a dm
 * table's limits are), {@code submit} and {@code rwPage} (queued or drained across a swap) and
 * {@code close}.
 *
 * <p>Thread-safe; the slot's monitor guards its state.
 */
public final class DeviceSlot extends ForwardingBlockDevice {
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
  private final int logicalBlockSize;
  private final long timeoutMillis;
  private final ScheduledExecutorService timer;
  private volatile Predicate<BlockDevice> identity = d -> true;
  private volatile boolean identityChecked;
  private volatile DirtyRegionLog dirtyLog;

  /**
   * The capacity a replacement backend must have: the first backend's, or a migration target's,
   * which may be larger than the slot.
   */
  private volatile long backendSectors;

  private BlockDevice backend;
  private BlockDevice previous;
  private State state;
  private int inFlight;
  private final Deque<Bio> waiting = new ArrayDeque<>();
  private ScheduledFuture<?> timeout;
  private long swaps;
  private boolean closed;

  /** Suspended by {@link #suspend()}: BIOs wait until {@link #resume()}, whatever the state. */
  private boolean held;

  /**
   * @param first the first backend (its capacity is the slot's)
   * @param timeoutMillis how long BIOs wait for a replacement before failing
   */
  public DeviceSlot(String name, BlockDevice first, long timeoutMillis) {
    this.name = Objects.requireNonNull(name, "name");
    this.backend = Objects.requireNonNull(first, "first backend");
    this.capacitySectors = first.capacitySectors();
    this.backendSectors = capacitySectors;
    this.logicalBlockSize = first.logicalBlockSize();
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
    this.identityChecked = true;
    BlockDevice b;
    synchronized (this) {
      b = backend;
    }
    if (b != null) {
      b.setReconnectCheck(check);
    }
  }

  /**
   * The slot's own backends are checked with its identity check (passed to each as its reconnect
   * check); one set from above is not the slot's to forward.
   */
  @Override
  public void setReconnectCheck(Predicate<BlockDevice> check) {}

  @Override
  public String name() {
    return name;
  }

  @Override
  public long capacitySectors() {
    return capacitySectors;
  }

  /**
   * The first backend's: the filesystem sized its I/O by it, so it must not change under a mount (a
   * replacement with a larger one is refused).
   */
  @Override
  public int logicalBlockSize() {
    return logicalBlockSize;
  }

  /** The attached backend, or {@link NoBackend} (the interface defaults) while there is none. */
  @Override
  protected synchronized BlockDevice delegate() {
    return backend == null ? NoBackend.INSTANCE : backend;
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

  /**
   * Starts (non-null) or stops (null) recording the regions that writes through the slot touch, for
   * a {@link Migration}. A write is marked when it completes, before its caller hears of it: marked
   * at submission, a region the copier read before the write landed would look copied once the
   * copier cleared its bit. The slot's drain on suspend waits for every completion, so once
   * suspended every write the source took is in the log.
   */
  void setDirtyLog(DirtyRegionLog log) {
    this.dirtyLog = log;
  }

  @Override
  public void submit(Bio bio) {
    BlockDevice target;
    BlockStatus status;
    synchronized (this) {
      if (closed) {
        target = null;
        status = BlockStatus.NODEV;
      } else {
        status = BlockStatus.IOERR;
        if (state == State.FAILED) {
          target = null;
        } else if (state == State.SUSPENDED || held) {
          waiting.addLast(bio);
          return;
        } else {
          target = backend;
          inFlight++;
        }
      }
    }
    if (target == null) {
      bio.endio(status);
      return;
    }
    Bio.EndIo inner = bio.endIo();
    bio.setEndIo(
        b -> {
          try {
            DirtyRegionLog.markWrite(dirtyLog, b.op(), b.sector(), b.sectors());
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
   * The backend's {@code rw_page}, counted in flight like a BIO so that {@link #detach()} drains it
   * before the backend is released.
   *
   * <p>Suspended or failed, the slot answers {@link BlockStatus#NOTSUPP} rather than blocking: the
   * caller (bdev_read_page/bdev_write_page) then builds a BIO, and {@link #submit} queues it with
   * the others. Every request that meets a swap thus goes through the one queue: it keeps its
   * order, waits at most the swap timeout, is checked against the newcomer's identity before it
   * runs, and fails with IOERR on timeout as the BIOs do, without a second waiting path here that
   * would have to agree with the first.
   */
  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    BlockDevice target;
    synchronized (this) {
      if (closed || state != State.ACTIVE || held) {
        return BlockStatus.NOTSUPP;
      }
      target = backend;
      inFlight++;
    }
    try {
      BlockStatus status = target.rwPage(op, sector, folio);
      if (status != BlockStatus.NOTSUPP) {
        DirtyRegionLog.markWrite(dirtyLog, op, sector, Folio.PAGE_SIZE / SECTOR_SIZE);
      }
      return status;
    } finally {
      synchronized (this) {
        inFlight--;
        notifyAll();
      }
    }
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
      drainInFlight();
      backend = null;
      previous = old;
      timeout = timer.schedule(this::expire, timeoutMillis, TimeUnit.MILLISECONDS);
    }
    LOG.info("device {} suspended: backend {} released", name, old);
    return old;
  }

  /**
   * Waits, holding the monitor, until the I/O at the backend is done or the swap timeout passed.
   */
  private void drainInFlight() {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (inFlight > 0 && System.currentTimeMillis() < deadline) {
      try {
        wait(Math.max(1, deadline - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
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

  /**
   * Whether {@code dev} is the right device for this slot: same capacity, a logical block size no
   * larger than the slot's, same identity.
   */
  public boolean accepts(BlockDevice dev) {
    return dev.capacitySectors() == backendSectors
        && dev.logicalBlockSize() <= logicalBlockSize
        && identity.test(dev);
  }

  /**
   * Offers a backend. Refused (false) when it is the wrong device (identity check, capacity) or a
   * backend is attached already; accepted, the waiting BIOs go to it in order.
   */
  public boolean attach(BlockDevice dev) {
    return attach(dev, false);
  }

  /**
   * {@link #attach} of a migration's target, which may be larger than the slot (the filesystem
   * keeps the slot's size, as an LV keeps its size when pvmove puts it on a larger PV).
   */
  boolean attachMigrated(BlockDevice dev) {
    return attach(dev, true);
  }

  private boolean attach(BlockDevice dev, boolean larger) {
    long expected = backendSectors;
    if (larger ? dev.capacitySectors() < capacitySectors : dev.capacitySectors() != expected) {
      LOG.warn(
          "device {}: refused {}: capacity {} sectors, expected {}",
          name,
          dev,
          dev.capacitySectors(),
          larger ? capacitySectors : expected);
      return false;
    }
    if (dev.logicalBlockSize() > logicalBlockSize) {
      // I/O the filesystem sizes by the slot's block size would be misaligned on it.
      LOG.warn(
          "device {}: refused {}: logical block size {}, larger than {}",
          name,
          dev,
          dev.logicalBlockSize(),
          logicalBlockSize);
      return false;
    }
    synchronized (this) {
      if (closed || state == State.ACTIVE) {
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
      if (closed || state == State.ACTIVE) {
        return false;
      }
      if (timeout != null) {
        timeout.cancel(false);
        timeout = null;
      }
      backend = dev;
      backendSectors = dev.capacitySectors();
      state = State.ACTIVE;
      if (dev != previous) {
        swaps++;
      }
      // Suspended by the operator as well: the BIOs go on waiting for resume().
      resume = held ? List.of() : new ArrayList<>(waiting);
      if (!held) {
        waiting.clear();
      }
    }
    if (identityChecked) {
      dev.setReconnectCheck(identity);
    }
    LOG.info("device {} resumed on {} with {} waiting BIOs", name, dev, resume.size());
    for (Bio bio : resume) {
      submit(bio);
    }
    return true;
  }

  /** Whether {@link #suspend()} holds the slot's I/O. */
  public synchronized boolean held() {
    return held;
  }

  /**
   * Suspends the slot's I/O on the operator's word (the kernel's {@code dm_suspend} without {@code
   * lockfs}): from now on BIOs wait, and this returns once the BIOs already at the backend have
   * completed, or after the swap timeout if some have not.
   *
   * @return how many BIOs were still at the backend when it returned (0: drained)
   * @throws IllegalStateException if suspended already, failed or closed
   */
  public int suspend() {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException(name + ": closed");
      }
      if (held) {
        throw new IllegalStateException(name + ": suspended already");
      }
      if (state == State.FAILED) {
        throw new IllegalStateException(name + ": failed (no backend): nothing to suspend");
      }
      held = true;
      drainInFlight();
      LOG.info("device {} suspended by request ({} BIOs still in flight)", name, inFlight);
      return inFlight;
    }
  }

  /**
   * Ends {@link #suspend()}: the BIOs that waited go to the backend in order (or go on waiting for
   * one, if it left meanwhile).
   *
   * @return how many waiting BIOs were resubmitted
   * @throws IllegalStateException if not suspended by {@link #suspend()}
   */
  public int resume() {
    List<Bio> resume;
    synchronized (this) {
      if (!held) {
        throw new IllegalStateException(name + ": not suspended");
      }
      held = false;
      if (state != State.ACTIVE) {
        return 0;
      }
      resume = new ArrayList<>(waiting);
      waiting.clear();
    }
    LOG.info("device {} resumed by request with {} waiting BIOs", name, resume.size());
    for (Bio bio : resume) {
      submit(bio);
    }
    return resume.size();
  }

  /**
   * Closes the slot (its filesystem is unmounted): BIOs still waiting for a backend and every later
   * one complete with {@link BlockStatus#NODEV}, as on a closed device, and the timer stops. The
   * current backend is its owner's to close.
   */
  @Override
  public void close() {
    List<Bio> dropped;
    synchronized (this) {
      closed = true;
      if (timeout != null) {
        timeout.cancel(false);
        timeout = null;
      }
      dropped = new ArrayList<>(waiting);
      waiting.clear();
    }
    timer.shutdownNow();
    for (Bio bio : dropped) {
      bio.endio(BlockStatus.NODEV);
    }
  }

  @Override
  public String toString() {
    return "DeviceSlot{" + name + " " + state() + "}";
  }
}
