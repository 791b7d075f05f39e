package org.mpage.device.file;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.block.DiskStatsCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An image file as a block device. Each BIO becomes one positioned, vectored read or write over its
 * segments' memory (scatter/gather, no copy, no call per page), resumed after short transfers.
 * Several worker threads, each with its own channel, execute BIOs in parallel; completion is
 * asynchronous, on the worker.
 *
 * <p>Errors never escape as exceptions: beyond the end of the file a BIO fails with {@link
 * BlockStatus#IOERR}, on a closed device with {@link BlockStatus#NODEV}, on a full host disk with
 * {@link BlockStatus#NOSPC}, on any other host error with {@link BlockStatus#IOERR}.
 *
 * <p>A read-write open takes an exclusive lock on the file, a read-only open a shared one, so a
 * second writer (in this process or another) is refused with {@link ImageInUseException}.
 *
 * <p>Ordering: a {@link BioOp#FLUSH} BIO forces the file to stable storage, so everything completed
 * before it was submitted is durable when it completes; {@link BioFlag#PREFLUSH} forces before the
 * write, {@link BioFlag#FUA} after it.
 */
public final class FileDevice implements BlockDevice {
  private static final Logger LOG = LoggerFactory.getLogger(FileDevice.class);

  /** A BIO waiting for a worker, with the time it was queued. */
  private record Request(Bio bio, long queuedNanos) {
    /** The pill that stops a worker: the only request without a BIO. */
    boolean isPoison() {
      return bio == null;
    }
  }

  private static final Request POISON = new Request(null, 0);

  /**
   * How long an idle worker polls before it parks. Not on two cores or fewer: there the spinning
   * worker takes the core the submitting thread needs (a 1 GiB read ran 15-20% faster without it).
   */
  private static final long SPIN_NANOS =
      Runtime.getRuntime().availableProcessors() > 2 ? 50_000 : 0;

  private final FileDeviceConfig config;
  private final FileChannel lockChannel;
  private final ImageLocks.Hold lock;
  private final long capacitySectors;
  private final int logicalBlockSize;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private final List<FileChannel> channels = new ArrayList<>();

  /** BIOs queued for or being executed by a worker. */
  private final java.util.concurrent.atomic.AtomicInteger pending =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Guards the lock channel when it executes a BIO in the submitting thread. */
  private final java.util.concurrent.locks.ReentrantLock inline =
      new java.util.concurrent.locks.ReentrantLock();

  private volatile boolean closed;

  private final DiskStatsCounter counters = new DiskStatsCounter();

  private FileDevice(
      FileDeviceConfig config,
      FileChannel lockChannel,
      ImageLocks.Hold lock,
      long sizeBytes,
      int lbs) {
    this.config = config;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.capacitySectors = sizeBytes / SECTOR_SIZE;
    this.logicalBlockSize = lbs;
  }

  /** Opens an image file as a device. */
  public static FileDevice open(FileDeviceConfig config) throws IOException {
    return open(config, ChannelOpener.DEFAULT);
  }

  /**
   * Opens an image file as a device, opening channels through {@code opener}.
   *
   * @throws ImageInUseException if another writer holds the file
   * @throws IOException if the file cannot be opened, or direct I/O is refused by the host
   */
  public static FileDevice open(FileDeviceConfig config, ChannelOpener opener) throws IOException {
    Set<OpenOption> options = new HashSet<>();
    options.add(StandardOpenOption.READ);
    if (!config.readOnly()) {
      options.add(StandardOpenOption.WRITE);
    }
    if (config.direct()) {
      options.add(directOption());
    }
    FileChannel lockChannel = openChannel(config, opener, options);
    FileDevice dev = null;
    try {
      ImageLocks.Hold lock = ImageLocks.acquire(config.path(), lockChannel, config.readOnly());
      int lbs = SECTOR_SIZE;
      if (config.direct()) {
        // Direct I/O must be aligned as the host filesystem wants it; expose that as the
        // device's logical block size so that callers can tell.
        lbs =
            (int)
                Math.max(
                    SECTOR_SIZE, java.nio.file.Files.getFileStore(config.path()).getBlockSize());
      }
      try {
        dev = new FileDevice(config, lockChannel, lock, lockChannel.size(), lbs);
      } catch (IOException | RuntimeException e) {
        lock.release();
        throw e;
      }
      for (int i = 0; i < config.queueDepth(); i++) {
        FileChannel ch = openChannel(config, opener, options);
        dev.channels.add(ch);
        Thread t = new Thread(dev.worker(ch), "mpage-file-" + config.name() + "-" + i);
        t.setDaemon(true);
        dev.workers.add(t);
      }
      for (Thread t : dev.workers) {
        t.start();
      }
      return dev;
    } catch (IOException | RuntimeException e) {
      if (dev != null) {
        dev.close();
      } else {
        lockChannel.close();
      }
      throw e;
    }
  }

  /** {@code O_DIRECT}, from a JDK package that an OSGi framework may not export. */
  private static OpenOption directOption() throws IOException {
    try {
      return ExtendedOpenOption.DIRECT;
    } catch (LinkageError e) {
      throw new IOException("direct I/O (O_DIRECT) is not available in this runtime", e);
    }
  }

  private static FileChannel openChannel(
      FileDeviceConfig config, ChannelOpener opener, Set<OpenOption> options) throws IOException {
    try {
      return opener.open(config.path(), options);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new java.nio.file.NoSuchFileException(
          config.path().toString(), null, "no such image file");
    } catch (IOException e) {
      if (config.direct()) {
        throw new IOException(
            config.path()
                + ": the host filesystem refuses direct I/O (O_DIRECT): "
                + e.getMessage(),
            e);
      }
      throw e;
    } catch (UnsupportedOperationException | LinkageError e) {
      throw new IOException(config.path() + ": direct I/O (O_DIRECT) is not supported here", e);
    }
  }

  @Override
  public String name() {
    return config.name();
  }

  public FileDeviceConfig config() {
    return config;
  }

  @Override
  public long capacitySectors() {
    return capacitySectors;
  }

  @Override
  public int logicalBlockSize() {
    return logicalBlockSize;
  }

  @Override
  public void submit(Bio bio) {
    if (closed) {
      bio.endio(BlockStatus.NODEV);
      return;
    }
    counters.start();
    if (bio.size() <= INLINE_MAX_BYTES
        && bio.op() != BioOp.FLUSH
        && pending.get() == 0
        && inline.tryLock()) {
      try {
        executeInline(bio);
      } finally {
        inline.unlock();
      }
      return;
    }
    pending.incrementAndGet();
    queue.add(new Request(bio, System.nanoTime()));
    if (closed) {
      drainQueue();
    }
  }

  /**
   * Largest BIO executed in the submitting thread when no worker is busy: a small synchronous read
   * (a directory block, a small file) then costs one system call instead of two thread switches,
   * which on two cores took longer than the read. Larger BIOs go to the workers, which overlap them
   * with the caller's copying.
   */
  private static final int INLINE_MAX_BYTES = 64 << 10;

  /** Executes a BIO on the lock channel in the caller's thread and completes it there. */
  private void executeInline(Bio bio) {
    long start = System.nanoTime();
    counters.queued(0);
    BlockStatus status = closed ? BlockStatus.NODEV : execute(bio, lockChannel);
    counters.completed(bio.op(), bio.sectors(), System.nanoTime() - start);
    counters.finish();
    complete(bio, status);
  }

  /**
   * The next request. A worker spins briefly before it sleeps: on a busy device the next BIO
   * usually arrives within microseconds, and waking a parked thread costs more than that.
   */
  private Request next() {
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    do {
      Request r = queue.poll();
      if (r != null) {
        return r;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < spinUntil);
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        // only close() stops a worker, by a poison pill
      }
    }
  }

  private Runnable worker(FileChannel channel) {
    return () -> {
      while (true) {
        Request r = next();
        if (r.isPoison()) {
          return;
        }
        long start = System.nanoTime();
        counters.queued(start - r.queuedNanos());
        BlockStatus status = closed ? BlockStatus.NODEV : execute(r.bio(), channel);
        counters.completed(r.bio().op(), r.bio().sectors(), System.nanoTime() - start);
        counters.finish();
        complete(r.bio(), status);
        pending.decrementAndGet();
      }
    };
  }

  private static void complete(Bio bio, BlockStatus status) {
    try {
      bio.endio(status);
    } catch (RuntimeException e) {
      LOG.error("completion handler of {} failed", bio, e);
    }
  }

  /** Executes one BIO on {@code channel}; never throws. */
  BlockStatus execute(Bio bio, FileChannel channel) {
    try {
      if (bio.op() == BioOp.FLUSH) {
        channel.force(false);
        return BlockStatus.OK;
      }
      if (bio.op() == BioOp.WRITE && config.readOnly()) {
        return BlockStatus.IOERR;
      }
      if (bio.sector() + bio.sectors() > capacitySectors) {
        return BlockStatus.IOERR;
      }
      if (bio.hasFlag(BioFlag.PREFLUSH)) {
        channel.force(false);
      }
      ByteBuffer[] buffers = buffersOf(bio);
      if (config.direct()) {
        for (int i = 0; i < buffers.length; i++) {
          if (!alignedForDirectIo(buffers[i], bio.sector())) {
            LOG.warn(
                "{}: {} at sector {}: segment {} not aligned to {} bytes for direct I/O",
                config.name(),
                bio.op(),
                bio.sector(),
                i,
                logicalBlockSize);
            return BlockStatus.IOERR;
          }
        }
      }
      long remaining = bio.size();
      channel.position(bio.sector() * SECTOR_SIZE);
      while (remaining > 0) {
        // One vectored system call for the whole BIO; the loop only resumes short transfers.
        long n = bio.op() == BioOp.READ ? channel.read(buffers) : channel.write(buffers);
        if (n < 0) {
          return BlockStatus.IOERR; // the file shrank under us
        }
        remaining -= n;
      }
      if (bio.hasFlag(BioFlag.FUA)) {
        channel.force(false);
      }
      return BlockStatus.OK;
    } catch (ClosedChannelException e) {
      return BlockStatus.NODEV;
    } catch (IOException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("No space left") || msg.contains("File too large")) {
        return BlockStatus.NOSPC;
      }
      LOG.warn("{}: {} at sector {} failed: {}", config.name(), bio.op(), bio.sector(), msg);
      return BlockStatus.IOERR;
    } catch (RuntimeException e) {
      LOG.error("{}: {} at sector {} failed", config.name(), bio.op(), bio.sector(), e);
      return BlockStatus.IOERR;
    }
  }

  /** The BIO's segments as buffers, clipped to its size (it may have been truncated). */
  private static ByteBuffer[] buffersOf(Bio bio) {
    int n = bio.vecCount();
    ByteBuffer[] buffers = new ByteBuffer[n];
    int left = bio.size();
    int used = 0;
    for (int i = 0; i < n && left > 0; i++) {
      BioVec v = bio.vec(i);
      ByteBuffer b = v.buffer();
      if (b.remaining() > left) {
        b.limit(left);
      }
      left -= b.remaining();
      buffers[used++] = b;
    }
    return used == n ? buffers : java.util.Arrays.copyOf(buffers, used);
  }

  private boolean alignedForDirectIo(ByteBuffer buf, long sector) {
    int a = logicalBlockSize;
    return buf.alignmentOffset(0, a) == 0
        && buf.remaining() % a == 0
        && (sector * SECTOR_SIZE) % a == 0;
  }

  @Override
  public DiskStats stats() {
    return counters.snapshot();
  }

  /**
   * Stops the device: BIOs queued but not started complete with NODEV, running ones finish, the
   * lock is released and the channels closed.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    drainQueue();
    for (int i = 0; i < workers.size(); i++) {
      queue.add(POISON);
    }
    for (Thread t : workers) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    drainQueue();
    try {
      lock.release();
    } catch (IOException e) {
      LOG.warn("{}: releasing the lock failed: {}", config.name(), e.getMessage());
    }
    closeQuietly(lockChannel);
    for (FileChannel ch : channels) {
      closeQuietly(ch);
    }
  }

  private void drainQueue() {
    List<Request> left = new ArrayList<>();
    queue.drainTo(left);
    for (Request r : left) {
      if (r.isPoison()) {
        queue.add(r);
        continue;
      }
      counters.finish();
      complete(r.bio(), BlockStatus.NODEV);
      pending.decrementAndGet();
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.debug("close failed", e);
    }
  }

  @Override
  public String toString() {
    return "FileDevice{"
        + config.name()
        + " "
        + config.path()
        + (config.readOnly() ? " ro" : "")
        + "}";
  }
}
