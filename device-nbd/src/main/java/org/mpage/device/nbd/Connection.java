package org.mpage.device.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.mpage.api.block.BlockStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to an NBD server in the transmission phase. Any number of threads send requests,
 * each one gathering write ({@link SocketChannel#write(ByteBuffer[])}) of the 28-byte header and
 * the payload's own buffers under the send lock; one reader thread takes the replies in whatever
 * order the server sends them, finds each request by its 64-bit handle and scatters a read's data
 * straight into the request's buffers. No payload is copied.
 *
 * <p>Who completes a request: whoever removes it from {@link #inFlight}. The reader does so for a
 * reply; {@link #fail} does so for every request left when the connection is lost, with {@link
 * BlockStatus#IOERR}; a sender whose send fails leaves its request to {@link #fail}. So each
 * request completes exactly once, and a lost connection leaves none waiting.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  /** One NBD request and what to do when its reply (or the connection's end) arrives. */
  static final class Request {
    final int type;
    final int flags;
    final long byteOffset;
    final int length;

    /** Payload: the data a write sends, the memory a read fills; empty otherwise. */
    final ByteBuffer[] buffers;

    final Done done;
    long handle;

    /** The first error a structured reply reported; read by the reader thread only. */
    int error;

    long sentNanos;

    Request(int type, int flags, long byteOffset, int length, ByteBuffer[] buffers, Done done) {
      this.type = type;
      this.flags = flags;
      this.byteOffset = byteOffset;
      this.length = length;
      this.buffers = buffers;
      this.done = done;
    }
  }

  /** Completion of one request; called once, on the reader thread or the one that failed it. */
  @FunctionalInterface
  interface Done {
    void done(BlockStatus status);
  }

  /** Told once when the connection is lost (not when it is closed on purpose). */
  @FunctionalInterface
  interface LossListener {
    void lost(Connection connection, String reason);
  }

  private final String deviceName;
  private final SocketChannel channel;
  final Handshake.Export export;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final ConcurrentHashMap<Long, Request> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong handles = new AtomicLong();
  private final LossListener onLoss;
  private final Thread reader;
  private final ByteBuffer header = ByteBuffer.allocate(Nbd.REQUEST_HEADER);
  private final RateLimit errorLog = new RateLimit(10);
  private volatile boolean dead;
  private volatile boolean closing;

  private Connection(
      String deviceName, SocketChannel channel, Handshake.Export export, LossListener onLoss) {
    this.deviceName = deviceName;
    this.channel = channel;
    this.export = export;
    this.onLoss = onLoss;
    this.reader = new Thread(this::readReplies, "mpage-nbd-" + deviceName + "-reader");
    this.reader.setDaemon(true);
  }

  /**
   * Connects, runs the handshake and starts the reader. A handshake that takes longer than the
   * connect timeout (a server that accepts but never speaks) is cut by closing the socket.
   */
  static Connection open(NbdDeviceConfig config, LossListener onLoss) throws IOException {
    String deviceName = config.name();
    NbdUri uri = config.uri();
    long timeoutMillis = config.connectTimeoutMillis();
    SocketChannel ch =
        uri.isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
    Thread watchdog = null;
    try {
      if (uri.isUnix()) {
        ch.connect(uri.address());
      } else {
        ch.socket().connect(uri.address(), (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
        ch.socket().setTcpNoDelay(true);
      }
      watchdog = new Thread(() -> closeAfter(ch, timeoutMillis), "mpage-nbd-handshake-timer");
      watchdog.setDaemon(true);
      watchdog.start();
      Handshake.Export export = Handshake.negotiate(ch, uri.export(), config.structuredReplies());
      watchdog.interrupt();
      if (!ch.isOpen()) {
        throw new IOException("the handshake took longer than " + timeoutMillis + " ms");
      }
      Connection c = new Connection(deviceName, ch, export, onLoss);
      c.reader.start();
      return c;
    } catch (IOException | RuntimeException e) {
      if (watchdog != null) {
        watchdog.interrupt();
      }
      ch.close();
      if (e instanceof java.nio.channels.AsynchronousCloseException) {
        throw new IOException("the handshake took longer than " + timeoutMillis + " ms", e);
      }
      throw e;
    }
  }

  private static void closeAfter(SocketChannel ch, long millis) {
    try {
      Thread.sleep(millis);
      ch.close();
    } catch (InterruptedException e) {
      // the handshake ended in time
    } catch (IOException e) {
      LOG.debug("closing a stalled handshake failed", e);
    }
  }

  /** Whether the caller is this connection's reader, which must not block in a send. */
  boolean isReaderThread() {
    return Thread.currentThread() == reader;
  }

  boolean isDead() {
    return dead;
  }

  /**
   * Sends a request; its {@link Request#done} runs when the reply arrives or the connection is
   * lost, possibly before this returns. Never throws.
   */
  void send(Request r) {
    r.handle = handles.incrementAndGet();
    r.sentNanos = System.nanoTime();
    inFlight.put(r.handle, r);
    if (dead) {
      // fail() may have run before the put: complete it here unless fail() got it.
      if (inFlight.remove(r.handle) != null) {
        r.done.done(BlockStatus.IOERR);
      }
      return;
    }
    sendLock.lock();
    try {
      header.clear();
      header
          .putInt(Nbd.REQUEST_MAGIC)
          .putShort((short) r.flags)
          .putShort((short) r.type)
          .putLong(r.handle)
          .putLong(r.byteOffset)
          .putInt(r.type == Nbd.CMD_FLUSH ? 0 : r.length)
          .flip();
      if (r.type == Nbd.CMD_WRITE) {
        ByteBuffer[] all = new ByteBuffer[r.buffers.length + 1];
        all[0] = header;
        System.arraycopy(r.buffers, 0, all, 1, r.buffers.length);
        writeFully(all, Nbd.REQUEST_HEADER + (long) r.length);
      } else {
        writeFully(new ByteBuffer[] {header}, Nbd.REQUEST_HEADER);
      }
    } catch (IOException e) {
      lost("sending failed: " + e.getMessage());
    } finally {
      sendLock.unlock();
    }
  }

  /**
   * A command without payload (TRIM, WRITE_ZEROES) over {@code bytes} from {@code byteOffset}, in
   * requests of at most 1 GiB (the length is 32 bits); completes with the first error.
   */
  java.util.concurrent.CompletableFuture<BlockStatus> sendRange(
      int type, int flags, long byteOffset, long bytes) {
    java.util.concurrent.CompletableFuture<BlockStatus> result =
        new java.util.concurrent.CompletableFuture<>();
    long piece = 1L << 30;
    java.util.concurrent.atomic.AtomicInteger left =
        new java.util.concurrent.atomic.AtomicInteger((int) ((bytes + piece - 1) / piece));
    java.util.concurrent.atomic.AtomicReference<BlockStatus> error =
        new java.util.concurrent.atomic.AtomicReference<>();
    for (long at = byteOffset; at < byteOffset + bytes; at += piece) {
      int length = (int) Math.min(piece, byteOffset + bytes - at);
      send(
          new Request(
              type,
              flags,
              at,
              length,
              new ByteBuffer[0],
              st -> {
                if (!st.isOk()) {
                  error.compareAndSet(null, st);
                }
                if (left.decrementAndGet() == 0) {
                  BlockStatus e = error.get();
                  result.complete(e == null ? BlockStatus.OK : e);
                }
              }));
    }
    return result;
  }

  private void writeFully(ByteBuffer[] buffers, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      left -= channel.write(buffers);
    }
  }

  /**
   * The reader: one reply at a time, each matched to its request by handle. A simple reply is the
   * whole answer (a read's data follows it); with structured replies a read is answered by chunks
   * of data or holes at offsets inside it, or errors, the last one flagged done.
   */
  private void readReplies() {
    ByteBuffer magic = ByteBuffer.allocate(4);
    ByteBuffer simple = ByteBuffer.allocate(Nbd.REPLY_HEADER - 4);
    ByteBuffer chunk = ByteBuffer.allocate(Nbd.STRUCTURED_HEADER - 4);
    try {
      while (true) {
        magic.clear();
        readFully(magic);
        int m = magic.getInt(0);
        if (m == Nbd.SIMPLE_REPLY_MAGIC) {
          simpleReply(simple);
        } else if (m == Nbd.STRUCTURED_REPLY_MAGIC && export.structured()) {
          structuredChunk(chunk);
        } else {
          throw new IOException("unexpected reply magic 0x" + Integer.toHexString(m));
        }
      }
    } catch (IOException | RuntimeException e) {
      String why =
          e instanceof EOFException ? "the server closed the connection" : String.valueOf(e);
      lost(why);
    }
  }

  private Request request(long handle) throws IOException {
    Request r = inFlight.get(handle);
    if (r == null) {
      throw new IOException("reply for unknown handle " + handle);
    }
    return r;
  }

  private void simpleReply(ByteBuffer h) throws IOException {
    h.clear();
    readFully(h);
    int error = h.getInt(0);
    long handle = h.getLong(4);
    Request r = request(handle);
    if (error == 0 && r.type == Nbd.CMD_READ) {
      // The data follows the header: into the request's memory, in place.
      readInto(r.buffers, r.length);
    }
    finish(r, error);
  }

  private void structuredChunk(ByteBuffer h) throws IOException {
    h.clear();
    readFully(h);
    int flags = h.getShort(0) & 0xffff;
    int type = h.getShort(2) & 0xffff;
    long handle = h.getLong(4);
    int length = h.getInt(12);
    Request r = request(handle);
    if (length < 0) {
      throw new IOException("chunk of " + (length & 0xffffffffL) + " bytes");
    }
    if (type == Nbd.REPLY_TYPE_OFFSET_DATA && r.type == Nbd.CMD_READ && length >= 8) {
      long at = readLong() - r.byteOffset;
      int n = length - 8;
      if (at < 0 || at + n > r.length) {
        throw new IOException("data chunk outside its read");
      }
      readInto(Payloads.slices(r.buffers, (int) at, n), n);
    } else if (type == Nbd.REPLY_TYPE_OFFSET_HOLE && r.type == Nbd.CMD_READ && length == 12) {
      long at = readLong() - r.byteOffset;
      ByteBuffer size = ByteBuffer.allocate(4);
      readFully(size);
      int n = size.getInt(0);
      if (at < 0 || n < 0 || at + n > r.length) {
        throw new IOException("hole chunk outside its read");
      }
      for (ByteBuffer b : Payloads.slices(r.buffers, (int) at, n)) {
        while (b.hasRemaining()) {
          b.put((byte) 0);
        }
      }
    } else if ((type & Nbd.REPLY_TYPE_ERROR_BIT) != 0 && length >= 6) {
      ByteBuffer body = ByteBuffer.allocate(length);
      readFully(body);
      int error = body.getInt(0);
      r.error = r.error != 0 ? r.error : (error != 0 ? error : 5);
    } else {
      // NONE, or a chunk type this client did not ask for: skip its payload.
      skip(length);
    }
    if ((flags & Nbd.REPLY_FLAG_DONE) != 0) {
      finish(r, r.error);
    }
  }

  /** Ends a request whose last reply was read; a request failed meanwhile stays failed. */
  private void finish(Request r, int error) {
    if (inFlight.remove(r.handle) == null) {
      return;
    }
    if (error != 0 && errorLog.allow()) {
      LOG.warn(
          "{}: {} of {} bytes at byte {} failed on the server: {}",
          deviceName,
          Nbd.commandName(r.type),
          r.length,
          r.byteOffset,
          Nbd.errorName(error));
    }
    r.done.done(error == 0 ? BlockStatus.OK : Nbd.status(error));
  }

  private void readInto(ByteBuffer[] buffers, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      long n = channel.read(buffers);
      if (n < 0) {
        throw new EOFException("the server closed the connection");
      }
      left -= n;
    }
  }

  private long readLong() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8);
    readFully(b);
    return b.getLong(0);
  }

  private void skip(int bytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(Math.min(bytes, 64 << 10));
    int left = bytes;
    while (left > 0) {
      b.clear().limit(Math.min(left, b.capacity()));
      readFully(b);
      left -= b.limit();
    }
  }

  private void readFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        throw new EOFException("the server closed the connection");
      }
    }
  }

  /** Nanoseconds since the oldest request in flight was sent; 0 if none. */
  long oldestInFlightNanos(long now) {
    long oldest = 0;
    for (Request r : inFlight.values()) {
      oldest = Math.max(oldest, now - r.sentNanos);
    }
    return oldest;
  }

  int inFlightCount() {
    return inFlight.size();
  }

  /** The connection is lost: close it, fail what is in flight, tell the device once. */
  void lost(String reason) {
    boolean first;
    synchronized (this) {
      first = !dead;
      dead = true;
    }
    closeChannel();
    fail(closing ? BlockStatus.NODEV : BlockStatus.IOERR);
    if (first && !closing) {
      LOG.warn("{}: connection lost: {}", deviceName, reason);
      onLoss.lost(this, reason);
    }
  }

  private void fail(BlockStatus status) {
    List<Request> left = new ArrayList<>();
    for (Long handle : inFlight.keySet()) {
      Request r = inFlight.remove(handle);
      if (r != null) {
        left.add(r);
      }
    }
    for (Request r : left) {
      r.done.done(status);
    }
  }

  /**
   * Ends the connection on purpose: {@code NBD_CMD_DISC} when nothing is in flight any more (after
   * waiting up to {@code drainMillis}), then the socket closes; what is still in flight completes
   * with {@link BlockStatus#NODEV}.
   */
  void close(long drainMillis) {
    long until = System.nanoTime() + drainMillis * 1_000_000;
    while (!dead && !inFlight.isEmpty() && System.nanoTime() < until) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closing = true;
    if (!dead) {
      sendLock.lock();
      try {
        ByteBuffer disc = ByteBuffer.allocate(Nbd.REQUEST_HEADER);
        disc.putInt(Nbd.REQUEST_MAGIC).putShort((short) 0).putShort((short) Nbd.CMD_DISC);
        disc.putLong(handles.incrementAndGet()).putLong(0).putInt(0).flip();
        writeFully(new ByteBuffer[] {disc}, Nbd.REQUEST_HEADER);
      } catch (IOException e) {
        LOG.debug("{}: NBD_CMD_DISC not sent: {}", deviceName, e.getMessage());
      } finally {
        sendLock.unlock();
      }
    }
    lost("closed");
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeChannel() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("{}: close failed", deviceName, e);
    }
  }
}
