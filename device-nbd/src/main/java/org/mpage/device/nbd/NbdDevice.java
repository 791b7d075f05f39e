package org.mpage.device.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.block.DiskStatsCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NBD export as a block device. A BIO becomes one NBD request when it fits the server's largest
 * payload (a BIO is at most 1 MiB, the default maximum 32 MiB), else one request per chunk; all of
 * them are pipelined on one connection ({@link Connection}) and the BIO completes when the last
 * reply is in, with the first error any of them had.
 *
 * <pre>
 *   submit ──> [connected] ──> Connection.send ─ ─ ─ server ─ ─ ─> reader thread ──> endio
 *       │                                                              │ lost
 *       └──> [lost, within reconnect.wait.ms] parked ──┐               v
 *       └──> [lost, past it] IOERR at once             │      in flight: IOERR
 *                                                      v      reconnect: 50 ms, doubling to 2 s
 *                                   reconnected: parked BIOs sent; deadline: parked BIOs IOERR
 * </pre>
 *
 * <p>Flags: {@link BioOp#FLUSH} becomes {@code NBD_CMD_FLUSH} when the export offers it, and
 * completes at once when it does not (a server without a flush command has no volatile cache to
 * flush). {@link BioFlag#PREFLUSH} sends a flush and the write only after the flush's reply, since
 * a server may execute pipelined requests in any order. {@link BioFlag#FUA} is the request flag
 * when offered, else a flush after the write. A read-only export refuses a read-write open; on a
 * device opened read-only every write BIO fails with {@link BlockStatus#IOERR} (logged once).
 *
 * <p>Threads: submitters send on their own thread; completions run on the reader thread, or on this
 * device's timer thread, which also runs reconnects, the reply-timeout watchdog and the sends that
 * must not happen on the reader thread (a BIO submitted from a completion, the write after a
 * PREFLUSH, the flush after a write with emulated FUA): a reader blocked in a send could not read
 * the replies that let the server take more.
 */
public final class NbdDevice implements BlockDevice {
  private static final Logger LOG = LoggerFactory.getLogger(NbdDevice.class);

  private static final ByteBuffer[] NO_BUFFERS = {};
  private static final long FIRST_BACKOFF_MILLIS = 50;
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final NbdDeviceConfig config;
  private final Handshake.Export export;
  private final long capacitySectors;
  private final int chunkBytes;
  private final DiskStatsCounter counters = new DiskStatsCounter();
  private final ScheduledThreadPoolExecutor timer;

  /** Guards {@link #conn} changes, {@link #parked} and {@link #lostAtNanos}. */
  private final Object lock = new Object();

  private volatile Connection conn;
  private final ArrayDeque<Parked> parked = new ArrayDeque<>();
  private long lostAtNanos = -1;
  private volatile boolean closed;
  private volatile boolean warnedReadOnly;

  private NbdDevice(NbdDeviceConfig config, Handshake.Export export) {
    this.config = config;
    this.export = export;
    this.capacitySectors = export.sizeBytes() / SECTOR_SIZE;
    int max = export.maxPayload();
    if (config.maxRequestBytes() > 0) {
      max = Math.min(max, config.maxRequestBytes());
    }
    int unit = Math.max(SECTOR_SIZE, export.preferredBlock());
    this.chunkBytes = Math.max(unit, max / unit * unit);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mpage-nbd-" + config.name() + "-timer");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Connects to the export and negotiates.
   *
   * @throws IOException naming the export and the reason: refused, no such export, the export is
   *     read-only but a writer asked, ...
   */
  public static NbdDevice open(NbdDeviceConfig config) throws IOException {
    Connection.LossListener[] relay = new Connection.LossListener[1];
    Connection c;
    try {
      c = Connection.open(config, (lost, why) -> relay[0].lost(lost, why));
    } catch (java.net.ConnectException | java.net.UnknownHostException e) {
      throw new IOException(reason(e), e);
    } catch (java.net.SocketException e) {
      if (config.uri().isUnix() && !java.nio.file.Files.exists(config.uri().socket())) {
        throw new IOException("no such socket " + config.uri().socket(), e);
      }
      throw new IOException(reason(e), e);
    }
    NbdDevice dev = new NbdDevice(config, c.export);
    relay[0] = dev::onLoss;
    if (c.export.has(Nbd.TF_READ_ONLY) && !config.readOnly()) {
      c.close(0);
      dev.timer.shutdownNow();
      throw new IOException("the export '" + config.uri().export() + "' is read-only");
    }
    if (dev.capacitySectors == 0) {
      c.close(0);
      dev.timer.shutdownNow();
      throw new IOException("the export '" + config.uri().export() + "' is empty");
    }
    dev.conn = c;
    var unused = dev.timer.scheduleWithFixedDelay(dev::watchdog, 200, 200, TimeUnit.MILLISECONDS);
    return dev;
  }

  private static String reason(IOException e) {
    String m = String.valueOf(e.getMessage());
    if (e instanceof java.net.UnknownHostException) {
      return "unknown host " + m;
    }
    return m.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused" : m;
  }

  @Override
  public String name() {
    return config.name();
  }

  public NbdDeviceConfig config() {
    return config;
  }

  @Override
  public long capacitySectors() {
    return capacitySectors;
  }

  @Override
  public int logicalBlockSize() {
    return Math.max(SECTOR_SIZE, export.minBlock());
  }

  /** Whether the export's transmission flags include {@code flag} ({@code Nbd.TF_*}). */
  boolean offers(int flag) {
    return export.has(flag);
  }

  /** Whether the server sends structured replies on this device's first connection. */
  boolean structuredReplies() {
    return export.structured();
  }

  /** Largest payload of one request. */
  int chunkBytes() {
    return chunkBytes;
  }

  /** Whether a connection is up now. */
  public boolean isConnected() {
    Connection c = conn;
    return c != null && !c.isDead();
  }

  @Override
  public void submit(Bio bio) {
    if (closed) {
      bio.endio(BlockStatus.NODEV);
      return;
    }
    counters.start();
    long t0 = System.nanoTime();
    if (bio.op() == BioOp.WRITE && config.readOnly()) {
      if (!warnedReadOnly) {
        warnedReadOnly = true;
        LOG.warn("{}: write refused: the device is read-only ({})", name(), config.uri());
      }
      complete(bio, BlockStatus.IOERR, t0);
      return;
    }
    if (bio.op() != BioOp.FLUSH
        && (bio.sector() >= capacitySectors || bio.sectors() > capacitySectors - bio.sector())) {
      complete(bio, BlockStatus.IOERR, t0);
      return;
    }
    if (bio.op() == BioOp.FLUSH && !export.has(Nbd.TF_SEND_FLUSH)) {
      complete(bio, BlockStatus.OK, t0);
      return;
    }
    Connection c = conn;
    if (c == null || c.isDead()) {
      parkOrFail(bio, t0);
    } else if (c.isReaderThread()) {
      later(() -> start(bio, t0), bio, t0);
    } else {
      start(bio, t0);
    }
  }

  /** Runs {@code task} on the timer thread; a closed device completes the BIO instead. */
  private void later(Runnable task, Bio bio, long t0) {
    try {
      timer.execute(task);
    } catch (RejectedExecutionException e) {
      complete(bio, BlockStatus.NODEV, t0);
    }
  }

  /** Sends the BIO's requests on the current connection. */
  private void start(Bio bio, long t0) {
    Connection c = conn;
    if (closed || c == null) {
      complete(bio, closed ? BlockStatus.NODEV : BlockStatus.IOERR, t0);
      return;
    }
    if (bio.op() == BioOp.FLUSH) {
      c.send(flush(st -> complete(bio, st, t0)));
    } else if (bio.hasFlag(BioFlag.PREFLUSH) && export.has(Nbd.TF_SEND_FLUSH)) {
      c.send(
          flush(
              st -> {
                if (st.isOk()) {
                  later(() -> sendData(bio, t0), bio, t0);
                } else {
                  complete(bio, st, t0);
                }
              }));
    } else {
      sendData(bio, t0);
    }
  }

  private static Connection.Request flush(Connection.Done done) {
    return new Connection.Request(Nbd.CMD_FLUSH, 0, 0, 0, NO_BUFFERS, done);
  }

  /** The READ or WRITE requests of a BIO: one, or one per chunk of the server's maximum. */
  private void sendData(Bio bio, long t0) {
    Connection c = conn;
    if (closed || c == null) {
      complete(bio, closed ? BlockStatus.NODEV : BlockStatus.IOERR, t0);
      return;
    }
    boolean write = bio.op() == BioOp.WRITE;
    boolean fua = write && bio.hasFlag(BioFlag.FUA);
    int flags = fua && export.has(Nbd.TF_SEND_FUA) ? Nbd.CMD_FLAG_FUA : 0;
    boolean flushAfter = fua && flags == 0 && export.has(Nbd.TF_SEND_FLUSH);
    int type = write ? Nbd.CMD_WRITE : Nbd.CMD_READ;
    long byteOffset = bio.sector() * SECTOR_SIZE;
    ByteBuffer[] buffers = Payloads.of(bio);
    if (bio.size() <= chunkBytes) {
      Parts parts = new Parts(bio, t0, 1, flushAfter);
      c.send(new Connection.Request(type, flags, byteOffset, bio.size(), buffers, parts));
      return;
    }
    List<ByteBuffer[]> chunks = Payloads.split(buffers, chunkBytes);
    Parts parts = new Parts(bio, t0, chunks.size(), flushAfter);
    long at = byteOffset;
    for (ByteBuffer[] chunk : chunks) {
      int length = 0;
      for (ByteBuffer b : chunk) {
        length += b.remaining();
      }
      c.send(new Connection.Request(type, flags, at, length, chunk, parts));
      at += length;
    }
  }

  /** The requests of one BIO: it completes when the last one does, with the first error. */
  private final class Parts implements Connection.Done {
    private final Bio bio;
    private final long t0;
    private final boolean flushAfter;
    private final AtomicInteger left;
    private final AtomicReference<BlockStatus> error = new AtomicReference<>();

    Parts(Bio bio, long t0, int count, boolean flushAfter) {
      this.bio = bio;
      this.t0 = t0;
      this.flushAfter = flushAfter;
      this.left = new AtomicInteger(count);
    }

    @Override
    public void done(BlockStatus status) {
      if (!status.isOk()) {
        error.compareAndSet(null, status);
      }
      if (left.decrementAndGet() != 0) {
        return;
      }
      BlockStatus first = error.get();
      if (first != null || !flushAfter) {
        complete(bio, first == null ? BlockStatus.OK : first, t0);
        return;
      }
      // FUA emulated: the write is durable once a flush after it has completed.
      later(
          () -> {
            Connection c = conn;
            if (c == null) {
              complete(bio, closed ? BlockStatus.NODEV : BlockStatus.IOERR, t0);
            } else {
              c.send(flush(st -> complete(bio, st, t0)));
            }
          },
          bio,
          t0);
    }
  }

  private void complete(Bio bio, BlockStatus status, long t0) {
    counters.completed(bio.op(), bio.sectors(), System.nanoTime() - t0);
    counters.finish();
    try {
      bio.endio(status);
    } catch (RuntimeException e) {
      LOG.error("completion handler of {} failed", bio, e);
    }
  }

  // ---- a lost connection, parked BIOs and reconnects ----

  /** A BIO waiting for a reconnect, with its start time for the statistics. */
  private record Parked(Bio bio, long t0) {}

  /** While the device reconnects: park the BIO until the deadline, or fail it once past it. */
  private void parkOrFail(Bio bio, long t0) {
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
      start(bio, t0);
    } else if (wait <= 0) {
      complete(bio, BlockStatus.IOERR, t0);
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
          name(),
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
      complete(p.bio(), status, p.t0());
    }
    return left.size();
  }

  /** Called once per lost connection (on its reader thread or a sender). */
  private void onLoss(Connection lost, String reason) {
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

  /** One reconnect attempt; on failure the next comes after twice the delay, at most 2 s. */
  private void reconnect(long delayMillis) {
    if (closed) {
      return;
    }
    Connection c;
    try {
      c = Connection.open(config, this::onLoss);
      if (c.export.sizeBytes() != export.sizeBytes()) {
        c.close(0);
        throw new IOException(
            "the export's size changed from "
                + export.sizeBytes()
                + " to "
                + c.export.sizeBytes()
                + " bytes");
      }
    } catch (IOException e) {
      LOG.debug("{}: reconnect failed: {}", name(), e.getMessage());
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
    LOG.info("{}: reconnected to {}", name(), config.uri());
    for (Parked p : waiting) {
      start(p.bio(), p.t0());
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

  @Override
  public DiskStats stats() {
    return counters.snapshot();
  }

  /**
   * Disconnects: requests in flight get up to 5 s to complete, then {@code NBD_CMD_DISC} is sent
   * and the socket closed; what is left, and what is parked, completes with {@link
   * BlockStatus#NODEV}. Idempotent.
   */
  @Override
  public void close() {
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
      r.run(); // continuations complete their BIOs with NODEV; reconnects see the device closed
    }
  }

  @Override
  public String toString() {
    return "NbdDevice{"
        + config.name()
        + " "
        + config.uri()
        + (config.readOnly() ? " ro" : "")
        + "}";
  }
}
