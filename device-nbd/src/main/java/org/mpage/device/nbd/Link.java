package org.mpage.device.nbd;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection of one {@link NbdDevice} as it comes and goes: the current {@link Connection}, the
 * BIOs parked while it is down, reconnects with backoff (50 ms doubling to 2 s), the deadline after
 * which parked and new BIOs fail, the watchdog that ends a connection whose oldest request has
 * waited {@code io.timeout.ms}, and the timer thread that runs all of these and the sends that must
 * not happen on a reader thread.
 *
 * <p>Locking: {@link #lock} guards changes of {@link #conn}, {@link #parked} and {@link
 * #lostAtNanos}; BIOs are started and completed outside it.
 */
final class Link {
  private static final Logger LOG = LoggerFactory.getLogger(Link.class);
  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  /** What the device does with a BIO: send it on the current connection, or complete it. */
  interface Target {
    void start(Bio bio, long t0);

    void complete(Bio bio, BlockStatus status, long t0);
  }

  private final NbdDeviceConfig config;
  private final long sizeBytes;
  private final Target target;
  private final ScheduledThreadPoolExecutor timer;
  private final Object lock = new Object();
  private volatile Connection conn;
  private final ArrayDeque<Parked> parked = new ArrayDeque<>();
  private long lostAtNanos = -1;
  private volatile boolean closed;

  /** Null until an owner sets one: then a reconnect costs no probe connection. */
  private volatile Predicate<BlockDevice> reconnectCheck;

  private volatile boolean warnedRefused;

  Link(NbdDeviceConfig config, long sizeBytes, Target target) {
    this.config = config;
    this.sizeBytes = sizeBytes;
    this.target = target;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mpage-nbd-" + config.name() + "-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /** Takes the first connection and starts the watchdog. */
  void attach(Connection c) {
    conn = c;
    var unused = timer.scheduleWithFixedDelay(this::watchdog, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** The connection now; null while down or closed. */
  Connection current() {
    return conn;
  }

  boolean isClosed() {
    return closed;
  }

  /** Runs {@code task} on the timer thread; once closed, completes the BIO with NODEV instead. */
  void later(Runnable task, Bio bio, long t0) {
    try {
      timer.execute(task);
    } catch (RejectedExecutionException e) {
      target.complete(bio, BlockStatus.NODEV, t0);
    }
  }

  /** A BIO waiting for a reconnect, with its start time for the statistics. */
  private record Parked(Bio bio, long t0) {}

  /** While the device reconnects: park the BIO until the deadline, or fail it once past it. */
  void parkOrFail(Bio bio, long t0) {
    boolean reconnected = false;
    long wait = 0;
    synchronized (lock) {
      Connection c = conn;
      if (c != null && !c.isDead()) {
        reconnected = true;
      } else {
        long now = System.nanoTime();
        if (lostAtNanos < 0) {
          lostAtNanos = now;
        }
        wait = lostAtNanos + config.reconnectWaitMillis() * 1_000_000 - now;
        if (wait > 0) {
          parked.add(new Parked(bio, t0));
        }
      }
    }
    if (reconnected) {
      target.start(bio, t0);
    } else if (wait <= 0) {
      target.complete(bio, BlockStatus.IOERR, t0);
    } else {
      try {
        var unused = timer.schedule(this::failExpired, wait / 1_000_000 + 1, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        failParked(BlockStatus.NODEV);
      }
    }
  }

  /** The reconnect deadline passed: parked BIOs fail, later ones fail at once. */
  private void failExpired() {
    synchronized (lock) {
      if (conn != null && !conn.isDead()) {
        return;
      }
      if (lostAtNanos >= 0
          && System.nanoTime() - lostAtNanos < config.reconnectWaitMillis() * 1_000_000) {
        return;
      }
    }
    if (failParked(BlockStatus.IOERR) > 0) {
      LOG.warn(
          "{}: not reconnected within {} ms; BIOs fail until it is ({})",
          config.name(),
          config.reconnectWaitMillis(),
          config.uri());
    }
  }

  private int failParked(BlockStatus status) {
    List<Parked> left;
    synchronized (lock) {
      left = new ArrayList<>(parked);
      parked.clear();
    }
    for (Parked p : left) {
      target.complete(p.bio(), status, p.t0());
    }
    return left.size();
  }

  /** Called once per lost connection (on its reader thread or a sender). */
  void onLoss(Connection lost, String reason) {
    synchronized (lock) {
      if (conn != lost || closed) {
        return;
      }
      conn = null;
      if (lostAtNanos < 0) {
        lostAtNanos = System.nanoTime();
      }
    }
    scheduleReconnect(FIRST_BACKOFF_MILLIS);
  }

  private void scheduleReconnect(long delayMillis) {
    try {
      var unused = timer.schedule(() -> reconnect(delayMillis), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** See {@link BlockDevice#setReconnectCheck}. */
  void setReconnectCheck(Predicate<BlockDevice> check) {
    reconnectCheck = check;
  }

  /**
   * Whether the server now serves the medium the device had: a probe device of its own connection
   * is given to the reconnect check (a slot's identity check reads the filesystem's superblock)
   * before the link's connection is opened, so no BIO of the device reaches a foreign medium. The
   * probe is closed before the link connects, for servers that take one client at a time
   * (qemu-nbd's default).
   */
  private boolean sameMedium() throws IOException {
    Predicate<BlockDevice> check = reconnectCheck;
    if (check == null) {
      return true;
    }
    boolean same;
    try (NbdDevice probe = NbdDevice.open(probeConfig())) {
      if (probe.capacitySectors() * BlockDevice.SECTOR_SIZE != sizeBytes) {
        return true; // the size check below says why
      }
      same = check.test(probe);
    }
    if (!same && !warnedRefused) {
      warnedRefused = true;
      LOG.warn(
          "{}: reconnect refused: {} now serves another medium than the one in use (identity"
              + " check); BIOs wait, then fail with IOERR, until the original is served again",
          config.name(),
          config.uri());
    }
    return same;
  }

  /** The probe reads only, and does not wait for reconnects of its own. */
  private NbdDeviceConfig probeConfig() {
    return new NbdDeviceConfig(
        config.name() + "-probe",
        config.uri(),
        true,
        config.connectTimeoutMillis(),
        config.ioTimeoutMillis(),
        0,
        config.maxRequestBytes(),
        config.structuredReplies());
  }

  /** One reconnect attempt; on failure the next comes after twice the delay, at most 2 s. */
  private void reconnect(long delayMillis) {
    if (closed) {
      return;
    }
    Connection c;
    try {
      if (!sameMedium()) {
        scheduleReconnect(MAX_BACKOFF_MILLIS);
        return;
      }
      c = Connection.open(config, this::onLoss);
      if (c.export.sizeBytes() != sizeBytes) {
        c.close(0);
        throw new IOException(
            "the export's size changed from "
                + sizeBytes
                + " to "
                + c.export.sizeBytes()
                + " bytes");
      }
    } catch (IOException e) {
      LOG.debug("{}: reconnect failed: {}", config.name(), e.getMessage());
      scheduleReconnect(Math.min(MAX_BACKOFF_MILLIS, delayMillis * 2));
      return;
    }
    List<Parked> waiting;
    synchronized (lock) {
      if (closed) {
        waiting = List.of();
      } else {
        conn = c;
        lostAtNanos = -1;
        waiting = new ArrayList<>(parked);
        parked.clear();
      }
    }
    if (closed) {
      c.close(0);
      return;
    }
    warnedRefused = false;
    LOG.info("{}: reconnected to {}", config.name(), config.uri());
    for (Parked p : waiting) {
      target.start(p.bio(), p.t0());
    }
  }

  /** A request without a reply for io.timeout.ms means a hung server: end the connection. */
  private void watchdog() {
    Connection c = conn;
    if (c != null
        && !c.isDead()
        && c.oldestInFlightNanos(System.nanoTime()) > config.ioTimeoutMillis() * 1_000_000) {
      c.lost("no reply within " + config.ioTimeoutMillis() + " ms");
    }
  }

  /**
   * Ends the link: parked BIOs complete with NODEV, the connection closes (in-flight requests get
   * up to 5 s, then {@code NBD_CMD_DISC}), and tasks still queued on the timer run once, seeing the
   * link closed. Idempotent.
   */
  void close() {
    Connection c;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      c = conn;
      conn = null;
    }
    failParked(BlockStatus.NODEV);
    if (c != null) {
      c.close(5_000);
    }
    for (Runnable r : timer.shutdownNow()) {
      r.run(); // continuations complete their BIOs with NODEV; reconnects see the link closed
    }
  }

  /** Ends a link whose device never opened. */
  void abandon(Connection c) {
    closed = true;
    c.close(0);
    timer.shutdownNow();
  }
}
