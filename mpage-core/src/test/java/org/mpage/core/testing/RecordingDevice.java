package org.mpage.core.testing;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;

/**
 * A device that logs every BIO (and rw_page call) it receives, in order, then passes it to a real
 * backing device. Faults can be injected per BIO and write completions can be held back. Asks the
 * block layer not to merge, so the log shows each BIO as the engine built it.
 */
public final class RecordingDevice implements BlockDevice {
  /** One logged request, with the state of each folio at submission. */
  public record Entry(
      BioOp op,
      Set<BioFlag> flags,
      long sector,
      int bytes,
      int vecs,
      int maxVecs,
      boolean rwPage,
      List<Set<FolioFlag>> folioStates) {

    /** {@code OP[FLAGS]@sector:bytes/vecs}, or {@code RW_PAGE_OP@sector} for rw_page. */
    public String brief() {
      if (rwPage) {
        return "RWPAGE_" + op + "@" + sector;
      }
      String f = flags.isEmpty() ? "" : flags.toString().replace(" ", "");
      return op + f + "@" + sector + ":" + bytes + "/" + vecs;
    }
  }

  private final BlockDevice backing;
  private final List<Entry> log = new ArrayList<>();
  private volatile boolean offerRwPage;
  private volatile boolean noMerges = true;
  private volatile Predicate<Bio> fault = b -> false;
  private volatile BlockStatus faultStatus = BlockStatus.IOERR;
  private volatile boolean holdWrites;
  private volatile boolean failRwPage;
  private final List<Bio> held = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  public RecordingDevice(BlockDevice backing) {
    this.backing = backing;
  }

  @Override
  public String name() {
    return backing.name();
  }

  @Override
  public long capacitySectors() {
    return backing.capacitySectors();
  }

  @Override
  public boolean noMerges() {
    return noMerges;
  }

  public void setNoMerges(boolean noMerges) {
    this.noMerges = noMerges;
  }

  /** Offer the backing device's rw_page hook (off by default). */
  public void setOfferRwPage(boolean offer) {
    this.offerRwPage = offer;
  }

  /**
   * BIOs matching {@code fault} fail with {@code status} instead of reaching the backing device.
   */
  public void failWhen(Predicate<Bio> fault, BlockStatus status) {
    this.fault = fault;
    this.faultStatus = status;
  }

  public void clearFaults() {
    this.fault = b -> false;
    this.failRwPage = false;
  }

  /** rw_page calls fail with an I/O error. */
  public void setFailRwPage(boolean fail) {
    this.failRwPage = fail;
  }

  /** Hold write BIOs (their folios stay under writeback) until {@link #releaseHeld()}. */
  public void setHoldWrites(boolean hold) {
    this.holdWrites = hold;
  }

  /** Completes the held writes. */
  public void releaseHeld() {
    List<Bio> now;
    synchronized (held) {
      now = new ArrayList<>(held);
      held.clear();
    }
    for (Bio bio : now) {
      passOn(bio);
    }
  }

  /** Hands a BIO to the backing device, counting it until it completes. */
  private void passOn(Bio bio) {
    inFlight.incrementAndGet();
    Bio.EndIo inner = bio.endIo();
    bio.setEndIo(
        b -> {
          try {
            if (inner != null) {
              inner.endio(b);
            }
          } finally {
            if (inFlight.decrementAndGet() == 0) {
              synchronized (inFlight) {
                inFlight.notifyAll();
              }
            }
          }
        });
    backing.submit(bio);
  }

  /**
   * Waits until every BIO passed to the backing device has completed (held writes do not count):
   * with an asynchronous backend, states are final only then.
   */
  public void awaitIdle() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    synchronized (inFlight) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("device still busy after 30 s: " + inFlight.get() + " BIOs");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(inFlight, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  public int heldCount() {
    synchronized (held) {
      return held.size();
    }
  }

  @Override
  public void submit(Bio bio) {
    List<Set<FolioFlag>> states = new ArrayList<>();
    for (int i = 0; i < bio.vecCount(); i++) {
      states.add(bio.vec(i).folio().flags());
    }
    synchronized (log) {
      log.add(
          new Entry(
              bio.op(),
              bio.flags().isEmpty() ? EnumSet.noneOf(BioFlag.class) : EnumSet.copyOf(bio.flags()),
              bio.sector(),
              bio.size(),
              bio.segments().size(),
              bio.maxVecs(),
              false,
              states));
    }
    if (fault.test(bio)) {
      bio.endio(faultStatus);
      return;
    }
    if (holdWrites && bio.op() == BioOp.WRITE) {
      synchronized (held) {
        held.add(bio);
      }
      return;
    }
    passOn(bio);
  }

  @Override
  public boolean hasRwPage() {
    return offerRwPage && backing.hasRwPage();
  }

  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    synchronized (log) {
      log.add(
          new Entry(
              op,
              EnumSet.noneOf(BioFlag.class),
              sector,
              Folio.PAGE_SIZE,
              1,
              1,
              true,
              List.of(folio.flags())));
    }
    return failRwPage ? BlockStatus.IOERR : backing.rwPage(op, sector, folio);
  }

  @Override
  public DiskStats stats() {
    return backing.stats();
  }

  /** The log so far. */
  public List<Entry> entries() {
    synchronized (log) {
      return new ArrayList<>(log);
    }
  }

  /** The log as {@link Entry#brief()} strings. */
  public List<String> briefs() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries()) {
      out.add(e.brief());
    }
    return out;
  }

  public void clearLog() {
    synchronized (log) {
      log.clear();
    }
  }
}
