package org.mpage.vfs.disk;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.MigrationInfo;
import org.mpage.api.page.Folio;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live migration of a {@link DeviceSlot} to another backend while its filesystem stays mounted:
 * what {@code pvmove} does with a temporary dm-raid1 mirror and {@code dm-kcopyd}.
 *
 * <pre>
 *   writes --> slot --> source            (as before; each completed write marks its regions
 *                 \                        in the dirty-region log)
 *                  kcopyd job: region by region, source --> target, bounded BIOs
 *
 *   pass 1: every region marked (the full resync); pass n: the regions written during pass n-1;
 *   until few remain ({@value #SWITCH_REGIONS}) or {@value #MAX_PASSES} passes, then:
 *   suspend the slot (drain) - copy the last dirty regions - flush the target - identity check -
 *   attach the target - resume.
 * </pre>
 *
 * <p>Why a dirty log and no mirrored writes: dm-raid1 also writes to every mirror leg, but then a
 * failing target fails (or has to be cut out of) the filesystem's own writes, and every write waits
 * for the slower of two devices. Here the source stays the only device the filesystem writes until
 * the switch: a target that fails, is slow or is cancelled concerns the copier alone, and the mount
 * never notices. The price is the last catch-up under suspend, which the passes keep small.
 *
 * <p>Aborts (cancel, a read or write error, a BIO not completed within the I/O timeout, the
 * identity check) leave the source attached and intact: the target is only ever written, and the
 * slot is only switched after the last copy and flush succeeded. One thread per migration; the
 * progress fields are read from any thread.
 */
public final class Migration {
  private static final Logger LOG = LoggerFactory.getLogger(Migration.class);

  /** Region size of the dirty log: 64 KiB, 128 sectors. */
  public static final int REGION_SECTORS = 128;

  /** Largest copy BIO: 1 MiB, {@link Bio#MAX_VECS} pages, a run of contiguous dirty regions. */
  static final int MAX_COPY_SECTORS = Bio.MAX_VECS * Folio.PAGE_SIZE / BlockDevice.SECTOR_SIZE;

  /** Dirty regions few enough to be copied under suspend (1 MiB). */
  static final long SWITCH_REGIONS = 16;

  /** Passes after which the switch copies what is dirty, however much. */
  static final int MAX_PASSES = 8;

  /** A migration that stopped short: {@link #reason} says why. */
  private static final class Abort extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean cancelled;

    Abort(String reason, boolean cancelled) {
      super(reason, null, false, false);
      this.cancelled = cancelled;
    }
  }

  private final String device;
  private final DeviceSlot slot;
  private final BlockDevice target;
  private final String targetName;
  private final long ioTimeoutMillis;
  private final Consumer<BlockDevice> switched;
  private final Runnable ended;
  private final DirtyRegionLog log;
  private final Folio[] pages = new Folio[Bio.MAX_VECS];
  private final AtomicLong copiedBytes = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile MigrationInfo.State state = MigrationInfo.State.COPYING;
  private final AtomicInteger passes = new AtomicInteger();
  private volatile boolean cancelRequested;
  private volatile String reason = "";
  private Thread thread;

  /**
   * @param slot the mounted device's slot
   * @param target the backend it moves to: not in use, at least as large (the caller checked)
   * @param ioTimeoutMillis how long one copy BIO may take before the migration gives up
   * @param switched told the released source once the slot runs on the target
   * @param ended run once the migration has ended, however it ended
   */
  public Migration(
      DeviceSlot slot,
      BlockDevice target,
      long ioTimeoutMillis,
      Consumer<BlockDevice> switched,
      Runnable ended) {
    this.slot = Objects.requireNonNull(slot, "slot");
    this.device = slot.name();
    this.target = Objects.requireNonNull(target, "target");
    this.targetName = target.name();
    this.ioTimeoutMillis = ioTimeoutMillis;
    this.switched = switched;
    this.ended = ended;
    this.log = new DirtyRegionLog(slot.capacitySectors(), REGION_SECTORS);
    ByteBuffer memory = ByteBuffer.allocateDirect(Bio.MAX_VECS * Folio.PAGE_SIZE);
    for (int i = 0; i < pages.length; i++) {
      pages[i] = new Folio(null, i, memory.slice(i * Folio.PAGE_SIZE, Folio.PAGE_SIZE));
    }
  }

  /** Starts the copier thread: from now on writes through the slot are logged. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("migration of " + device + " started already");
    }
    log.markAll();
    slot.setDirtyLog(log);
    thread = new Thread(this::run, "mpage-kcopyd-" + device);
    thread.setDaemon(true);
    thread.start();
  }

  /** The state and progress now. */
  public MigrationInfo info() {
    MigrationInfo.State now = state;
    return new MigrationInfo(
        device,
        targetName,
        now,
        copiedBytes.get(),
        slot.capacitySectors() * BlockDevice.SECTOR_SIZE,
        passes.get(),
        // Once switched the log is gone; what it still counts was written to the target.
        now == MigrationInfo.State.DONE ? 0 : log.dirtyRegions(),
        REGION_SECTORS * BlockDevice.SECTOR_SIZE,
        reason);
  }

  /**
   * Asks the copier to stop and waits up to {@code waitMillis} for it; the source stays in use
   * unless the switch had already happened.
   */
  public MigrationInfo cancel(long waitMillis) throws InterruptedException {
    cancelRequested = true;
    await(waitMillis);
    return info();
  }

  /** Waits up to {@code waitMillis} for the migration to end; returns whether it did. */
  public boolean await(long waitMillis) throws InterruptedException {
    return done.await(waitMillis, TimeUnit.MILLISECONDS);
  }

  private void run() {
    try {
      do {
        passes.incrementAndGet();
        copyDirtyRegions(slot);
        LOG.debug("{}: pass {} done, {} regions dirty", device, passes.get(), log.dirtyRegions());
      } while (log.dirtyRegions() > SWITCH_REGIONS && passes.get() < MAX_PASSES);
      // Made durable now, what the passes wrote is not flushed under suspend: the flush there
      // then covers only the last regions (a file target's fsync of the whole copy took most of
      // the suspend before).
      flushTarget();
      switchOver();
      state = MigrationInfo.State.DONE;
      LOG.info(
          "{}: migrated to {} ({} bytes copied in {} passes)",
          device,
          targetName,
          copiedBytes.get(),
          passes.get());
    } catch (Abort a) {
      reason = a.getMessage();
      state = a.cancelled ? MigrationInfo.State.CANCELLED : MigrationInfo.State.FAILED;
      LOG.warn("{}: migration to {} stopped, source kept: {}", device, targetName, reason);
    } catch (RuntimeException | Error e) {
      reason = "internal error: " + e;
      state = MigrationInfo.State.FAILED;
      LOG.error("{}: migration to {} failed, source kept", device, targetName, e);
    } finally {
      slot.setDirtyLog(null);
      try {
        if (ended != null) {
          ended.run();
        }
      } finally {
        done.countDown();
      }
    }
  }

  /**
   * The kcopyd job of one pass: every region whose bit is set, in order, its bit cleared just
   * before it is read; runs of contiguous dirty regions up to {@link #MAX_COPY_SECTORS} go as one
   * read and one write BIO.
   *
   * @param source the slot while the filesystem writes on; the released source under suspend
   */
  private void copyDirtyRegions(BlockDevice source) throws Abort {
    long regions = log.regions();
    int perCopy = MAX_COPY_SECTORS / REGION_SECTORS;
    for (long r = 0; r < regions; r++) {
      if (!log.testAndClear(r)) {
        continue;
      }
      long first = r;
      while (r + 1 < regions && r + 1 - first < perCopy && log.testAndClear(r + 1)) {
        r++;
      }
      checkCancelled();
      long sector = first * REGION_SECTORS;
      long end = Math.min(slot.capacitySectors(), (r + 1) * REGION_SECTORS);
      copy(source, sector, (int) (end - sector));
    }
  }

  private void checkCancelled() throws Abort {
    if (cancelRequested) {
      throw new Abort("cancelled", true);
    }
  }

  private void copy(BlockDevice source, long sector, int sectors) throws Abort {
    BlockStatus read = io(source, BioOp.READ, sector, sectors);
    if (!read.isOk()) {
      throw new Abort(
          "source " + device + ": read of " + sectors + " sectors at " + sector + ": " + read,
          false);
    }
    BlockStatus write = io(target, BioOp.WRITE, sector, sectors);
    if (!write.isOk()) {
      throw new Abort(
          "target " + targetName + ": write of " + sectors + " sectors at " + sector + ": " + write,
          false);
    }
    copiedBytes.addAndGet((long) sectors * BlockDevice.SECTOR_SIZE);
  }

  /** One BIO over the copy buffer, waited for at most the I/O timeout. */
  private BlockStatus io(BlockDevice dev, BioOp op, long sector, int sectors) throws Abort {
    int bytes = sectors * BlockDevice.SECTOR_SIZE;
    Bio bio =
        new Bio(
            dev,
            op,
            EnumSet.of(BioFlag.SYNC),
            op == BioOp.FLUSH ? 0 : (bytes + Folio.PAGE_SIZE - 1) / Folio.PAGE_SIZE);
    bio.setSector(sector);
    for (int i = 0; bytes > 0; i++) {
      int length = Math.min(bytes, Folio.PAGE_SIZE);
      bio.addFolio(pages[i], length, 0);
      bytes -= length;
    }
    CountDownLatch completed = new CountDownLatch(1);
    bio.setEndIo(b -> completed.countDown());
    dev.submit(bio);
    try {
      if (!completed.await(ioTimeoutMillis, TimeUnit.MILLISECONDS)) {
        // The copy buffer is never used again: this migration ends here.
        throw new Abort(
            (dev == target ? "target " + targetName : "source " + device)
                + ": "
                + op
                + " at sector "
                + sector
                + " not completed within "
                + ioTimeoutMillis
                + " ms",
            false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Abort("interrupted", true);
    }
    return bio.status();
  }

  private void flushTarget() throws Abort {
    BlockStatus flush = io(target, BioOp.FLUSH, 0, 0);
    if (!flush.isOk()) {
      throw new Abort("target " + targetName + ": flush: " + flush, false);
    }
  }

  /**
   * The switch, the only time the filesystem waits: suspend the slot (the BIOs at the source drain,
   * their completions mark the log), copy the regions still dirty straight from the source, flush
   * the target, and attach it, which checks its identity. Any failure attaches the source again,
   * and the waiting BIOs go to it as after a swap.
   */
  private void switchOver() throws Abort {
    state = MigrationInfo.State.SWITCHING;
    long t0 = System.nanoTime();
    BlockDevice source = slot.detach();
    if (source == null) {
      throw new Abort(
          "device " + device + " is suspended (its backend left): nothing switched", false);
    }
    long drained = System.nanoTime();
    long lastRegions = log.dirtyRegions();
    boolean onTarget = false;
    try {
      copyDirtyRegions(source);
      checkCancelled();
      flushTarget();
      if (!slot.attachMigrated(target)) {
        throw new Abort(
            "target " + targetName + " refused: not the filesystem " + device + " is mounted from",
            false);
      }
      onTarget = true;
      slot.setDirtyLog(null);
      LOG.info(
          "{}: switched to {}, suspended for {} ms ({} ms draining, {} regions copied)",
          device,
          targetName,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
          TimeUnit.NANOSECONDS.toMillis(drained - t0),
          lastRegions);
      if (switched != null) {
        switched.accept(source);
      }
    } finally {
      if (!onTarget && !slot.attach(source)) {
        LOG.error("{}: the source {} could not be attached again", device, source);
      }
    }
  }

  @Override
  public String toString() {
    return "Migration{" + device + " -> " + targetName + " " + state + "}";
  }
}
