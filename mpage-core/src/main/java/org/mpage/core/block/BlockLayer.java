package org.mpage.core.block;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The block layer between the engine and the device backends: {@code submit_bio} with per-thread
 * plugging and merging of adjacent BIOs, {@code guard_bio_eod}, statistics and tracing.
 *
 * <p>A thread that is about to wait for I/O must call {@link #flushPlug()} first, as the kernel
 * does when a plugged task sleeps: otherwise it could wait for a BIO still held in its own plug.
 * The synchronous helpers here do so.
 *
 * <p>Merging follows the device's queue limits: only BIOs of the same device, operation and flags
 * that continue each other's sectors merge, never into more than {@link Bio#MAX_VECS} segments, and
 * never for a device that asks for {@link BlockDevice#noMerges()}.
 */
public final class BlockLayer {
  private static final Logger LOG = LoggerFactory.getLogger(BlockLayer.class);

  /**
   * Each thread's plugs, one per block layer it is plugging (the kernel's {@code current->plug};
   * engines are independent here, so one per engine). Static, as a thread-local should be: a
   * per-instance one would leave an entry in every thread that ever plugged for each engine made. A
   * thread's map is dropped when its last plug finishes.
   */
  private static final ThreadLocal<IdentityHashMap<BlockLayer, Plug>> PLUGS = new ThreadLocal<>();

  private final IoStats stats = new IoStats();
  private volatile BioTracer tracer;

  public IoStats stats() {
    return stats;
  }

  /** Installs (or with null removes) a tracer of BIO events. */
  public void setTracer(BioTracer tracer) {
    this.tracer = tracer;
  }

  // ---- submission ----

  /**
   * Submits a BIO: the kernel's {@code submit_bio}. It goes to the device at once, or into the
   * current thread's plug when there is one. Never throws for I/O problems: the BIO completes with
   * an error status instead.
   */
  public void submitBio(Bio bio) {
    int sectors = (int) bio.sectors();
    if (bio.op() == BioOp.READ) {
      stats.readBios.increment();
      stats.sectorsRead.add(sectors);
      if (bio.flags().contains(BioFlag.META)) {
        stats.countMetaRead(); // metadata that does not come through __bread
      }
    } else if (bio.op() == BioOp.WRITE) {
      stats.writeBios.increment();
      stats.sectorsWritten.add(sectors);
    } else {
      stats.flushBios.increment();
    }
    BioTracer t = tracer;
    if (t != null) {
      t.event(BioTracer.Action.QUEUE, bio);
    }
    Plug plug = currentPlug();
    if (plug == null || bio.op() == BioOp.FLUSH) {
      dispatch(List.of(bio));
      return;
    }
    addToPlug(plug, bio);
    if (plug.requests.size() > Plug.MAX_REQUESTS) {
      flush(plug);
    }
  }

  private void addToPlug(Plug plug, Bio bio) {
    if (!plug.requests.isEmpty() && !bio.bdev().noMerges()) {
      List<Bio> last = plug.requests.get(plug.requests.size() - 1);
      if (canMerge(last, bio)) {
        last.add(bio);
        stats.merges.increment();
        return;
      }
    }
    List<Bio> request = new ArrayList<>(2);
    request.add(bio);
    plug.requests.add(request);
  }

  private static boolean canMerge(List<Bio> request, Bio bio) {
    Bio first = request.get(0);
    Bio last = request.get(request.size() - 1);
    if (first.bdev() != bio.bdev()
        || first.op() != bio.op()
        || !first.flags().equals(bio.flags())) {
      return false;
    }
    if (last.size() % BlockDevice.SECTOR_SIZE != 0
        || last.sector() + last.size() / BlockDevice.SECTOR_SIZE != bio.sector()) {
      return false;
    }
    int vecs = bio.vecCount();
    for (Bio b : request) {
      vecs += b.vecCount();
    }
    return vecs <= Bio.MAX_VECS;
  }

  /** Starts plugging on this thread: the kernel's {@code blk_start_plug}. Plugs nest. */
  public Plug startPlug() {
    Plug plug = currentPlug();
    if (plug != null) {
      plug.depth++;
      return plug;
    }
    plug = new Plug(this);
    IdentityHashMap<BlockLayer, Plug> mine = PLUGS.get();
    if (mine == null) {
      mine = new IdentityHashMap<>(4);
      PLUGS.set(mine);
    }
    mine.put(this, plug);
    return plug;
  }

  /** This thread's plug on this layer, or null. */
  private Plug currentPlug() {
    IdentityHashMap<BlockLayer, Plug> mine = PLUGS.get();
    return mine == null ? null : mine.get(this);
  }

  void finishPlug(Plug plug) {
    if (--plug.depth > 0) {
      return;
    }
    IdentityHashMap<BlockLayer, Plug> mine = PLUGS.get();
    mine.remove(this);
    if (mine.isEmpty()) {
      PLUGS.remove();
    }
    flush(plug);
  }

  /** Dispatches whatever the current thread's plug holds, keeping the plug. */
  public void flushPlug() {
    Plug plug = currentPlug();
    if (plug != null) {
      flush(plug);
    }
  }

  private void flush(Plug plug) {
    if (plug.requests.isEmpty()) {
      return; // the common case on every wait: nothing to send, nothing to allocate
    }
    List<List<Bio>> requests = new ArrayList<>(plug.requests);
    plug.requests.clear();
    for (List<Bio> request : requests) {
      dispatch(request);
    }
  }

  private void dispatch(List<Bio> request) {
    Bio bio = request.size() == 1 ? request.get(0) : merge(request);
    stats.requests.increment();
    BioTracer t = tracer;
    if (t != null) {
      t.event(BioTracer.Action.DISPATCH, bio);
      Bio.EndIo inner = bio.endIo();
      bio.setEndIo(
          done -> {
            t.event(BioTracer.Action.COMPLETE, done);
            if (inner != null) {
              inner.endio(done);
            }
          });
    }
    try {
      bio.bdev().submit(bio);
    } catch (RuntimeException e) {
      // A backend must not throw; if one does, the BIO still has to complete or its pages would
      // stay locked forever.
      LOG.error("device {} threw from submit of {}", bio.bdev().name(), bio, e);
      if (!bio.isEnded()) {
        bio.endio(BlockStatus.IOERR);
      }
    }
  }

  /** One device request made of adjacent BIOs; its completion completes each of them. */
  private static Bio merge(List<Bio> request) {
    Bio first = request.get(0);
    int vecs = 0;
    for (Bio b : request) {
      vecs += b.vecCount();
    }
    Bio merged = new Bio(first.bdev(), first.op(), first.flags(), vecs);
    merged.setSector(first.sector());
    for (Bio b : request) {
      for (org.mpage.api.block.BioVec v : b.segments()) {
        merged.add(v);
      }
    }
    List<Bio> parts = List.copyOf(request);
    merged.setEndIo(
        done -> {
          for (Bio part : parts) {
            part.endio(done.status());
          }
        });
    return merged;
  }

  /**
   * Submits a BIO and waits for it: the kernel's {@code submit_bio_wait}. Flushes this thread's
   * plug first.
   */
  public BlockStatus submitBioWait(Bio bio) {
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    Bio.EndIo inner = bio.endIo();
    bio.setEndIo(
        b -> {
          if (inner != null) {
            inner.endio(b);
          }
          done.complete(b.status());
        });
    flushPlug();
    submitBio(bio);
    flushPlug();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return BlockStatus.IOERR;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Asks the device to make acknowledged writes durable, and waits. */
  public BlockStatus flushDevice(BlockDevice bdev) {
    return submitBioWait(new Bio(bdev, BioOp.FLUSH, java.util.Set.of(), 0));
  }

  /**
   * Trims a BIO that runs past the end of its device: the kernel's {@code guard_bio_eod}. A BIO
   * starting at or beyond the end is left alone (the device fails it); a read loses its tail, which
   * is zeroed in memory.
   */
  public static void guardBioEod(Bio bio) {
    long maxSector = bio.bdev().capacitySectors();
    if (maxSector == 0) {
      return;
    }
    if (bio.sector() >= maxSector) {
      return;
    }
    maxSector -= bio.sector();
    if ((bio.size() >> 9) <= maxSector) {
      return;
    }
    bio.truncate((int) (maxSector << 9));
  }
}
