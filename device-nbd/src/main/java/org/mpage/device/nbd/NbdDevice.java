package org.mpage.device.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
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
 * <p>Threads: submitters send on their own thread; completions run on the reader thread, or on the
 * timer thread of this device's {@link Link} (the connection as it comes and goes), which also runs
 * reconnects, the reply-timeout watchdog and the sends that must not happen on the reader thread (a
 * BIO submitted from a completion, the write after a PREFLUSH, the flush after a write with
 * emulated FUA): a reader blocked in a send could not read the replies that let the server take
 * more.
 *
 * <p>TRIM and WRITE_ZEROES have no BIO in the api: {@link #discard} and {@link #writeZeroes} send
 * them, when the export offers them.
 */
public final class NbdDevice implements BlockDevice {
  private static final Logger LOG = LoggerFactory.getLogger(NbdDevice.class);

  private static final ByteBuffer[] NO_BUFFERS = {};

  private final NbdDeviceConfig config;
  private final Handshake.Export export;
  private final long capacitySectors;
  private final int chunkBytes;
  private final DiskStatsCounter counters = new DiskStatsCounter();
  private final Link link;
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
    this.link =
        new Link(
            config,
            export.sizeBytes(),
            new Link.Target() {
              @Override
              public void start(Bio bio, long t0) {
                NbdDevice.this.start(bio, t0);
              }

              @Override
              public void complete(Bio bio, BlockStatus status, long t0) {
                NbdDevice.this.complete(bio, status, t0);
              }
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
    } catch (java.net.UnknownHostException e) {
      throw new IOException("unknown host " + config.uri().host(), e);
    } catch (java.net.ConnectException e) {
      throw new IOException(reason(e), e);
    } catch (java.net.SocketException e) {
      if (config.uri().isUnix() && !java.nio.file.Files.exists(config.uri().socket())) {
        throw new IOException("no such socket " + config.uri().socket(), e);
      }
      throw new IOException(reason(e), e);
    }
    NbdDevice dev = new NbdDevice(config, c.export);
    relay[0] = dev.link::onLoss;
    if (c.export.has(Nbd.TF_READ_ONLY) && !config.readOnly()) {
      dev.link.abandon(c);
      throw new IOException("the export '" + config.uri().export() + "' is read-only");
    }
    if (dev.capacitySectors == 0) {
      dev.link.abandon(c);
      throw new IOException("the export '" + config.uri().export() + "' is empty");
    }
    dev.link.attach(c);
    return dev;
  }

  private static String reason(IOException e) {
    String m = String.valueOf(e.getMessage());
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
    Connection c = link.current();
    return c != null && !c.isDead();
  }

  @Override
  public void submit(Bio bio) {
    if (link.isClosed()) {
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
    Connection c = link.current();
    if (c == null || c.isDead()) {
      link.parkOrFail(bio, t0);
    } else if (c.isReaderThread()) {
      link.later(() -> start(bio, t0), bio, t0);
    } else {
      start(bio, t0);
    }
  }

  /** Sends the BIO's requests on the current connection. */
  private void start(Bio bio, long t0) {
    Connection c = link.current();
    if (link.isClosed() || c == null) {
      complete(bio, link.isClosed() ? BlockStatus.NODEV : BlockStatus.IOERR, t0);
      return;
    }
    if (bio.op() == BioOp.FLUSH) {
      c.send(flush(st -> complete(bio, st, t0)));
    } else if (bio.hasFlag(BioFlag.PREFLUSH) && export.has(Nbd.TF_SEND_FLUSH)) {
      c.send(
          flush(
              st -> {
                if (st.isOk()) {
                  link.later(() -> sendData(bio, t0), bio, t0);
                } else {
                  complete(bio, st, t0);
                }
              }));
    } else {
      sendData(bio, t0);
    }
  }

  /**
   * Discards {@code sectors} sectors from {@code sector} ({@code NBD_CMD_TRIM}): the server may
   * deallocate them, and what they read afterwards is unspecified. The api has no discard BIO, so
   * this is the device's own call. Completes with {@link BlockStatus#NOTSUPP} when the export does
   * not offer TRIM, {@link BlockStatus#IOERR} when not connected, read-only or out of bounds.
   */
  public java.util.concurrent.CompletableFuture<BlockStatus> discard(long sector, long sectors) {
    return noData(Nbd.CMD_TRIM, Nbd.TF_SEND_TRIM, 0, sector, sectors);
  }

  /**
   * Writes zeros to {@code sectors} sectors from {@code sector} without sending them ({@code
   * NBD_CMD_WRITE_ZEROES}, with FUA when asked and offered); as {@link #discard} otherwise.
   */
  public java.util.concurrent.CompletableFuture<BlockStatus> writeZeroes(
      long sector, long sectors, boolean fua) {
    int flags = fua && export.has(Nbd.TF_SEND_FUA) ? Nbd.CMD_FLAG_FUA : 0;
    return noData(Nbd.CMD_WRITE_ZEROES, Nbd.TF_SEND_WRITE_ZEROES, flags, sector, sectors);
  }

  private java.util.concurrent.CompletableFuture<BlockStatus> noData(
      int type, int offered, int flags, long sector, long sectors) {
    Connection c = link.current();
    BlockStatus refused = null;
    if (!export.has(offered)) {
      refused = BlockStatus.NOTSUPP;
    } else if (link.isClosed()) {
      refused = BlockStatus.NODEV;
    } else if (config.readOnly()
        || c == null
        || c.isDead()
        || sector < 0
        || sectors <= 0
        || sector >= capacitySectors
        || sectors > capacitySectors - sector) {
      refused = BlockStatus.IOERR;
    }
    return refused != null
        ? java.util.concurrent.CompletableFuture.completedFuture(refused)
        : c.sendRange(type, flags, sector * SECTOR_SIZE, sectors * SECTOR_SIZE);
  }

  private static Connection.Request flush(Connection.Done done) {
    return new Connection.Request(Nbd.CMD_FLUSH, 0, 0, 0, NO_BUFFERS, done);
  }

  /** The READ or WRITE requests of a BIO: one, or one per chunk of the server's maximum. */
  private void sendData(Bio bio, long t0) {
    Connection c = link.current();
    if (link.isClosed() || c == null) {
      complete(bio, link.isClosed() ? BlockStatus.NODEV : BlockStatus.IOERR, t0);
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
      link.later(
          () -> {
            Connection c = link.current();
            if (c == null) {
              complete(bio, link.isClosed() ? BlockStatus.NODEV : BlockStatus.IOERR, t0);
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

  @Override
  public DiskStats stats() {
    return counters.snapshot();
  }

  /**
   * Disconnects: requests in flight get up to 5 s to complete, then {@code NBD_CMD_DISC} is sent
   * and the socket closed; what is left, and what is parked, completes with {@link
   * BlockStatus#NODEV}. Idempotent.
   */
  /**
   * Asked before a reconnect uses the server again: a restarted server may serve another medium
   * under the same export name (see {@link Link}).
   */
  @Override
  public void setReconnectCheck(java.util.function.Predicate<BlockDevice> check) {
    link.setReconnectCheck(java.util.Objects.requireNonNull(check));
  }

  @Override
  public void close() {
    link.close();
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
