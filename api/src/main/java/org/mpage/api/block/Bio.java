package org.mpage.api.block;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mpage.api.page.Folio;

/**
 * A block I/O request: one operation on a contiguous run of sectors, gathering its data from up to
 * {@link #MAX_VECS} segments of page memory. The kernel's {@code struct bio}.
 *
 * <p>The builder (the engine) fills it in on one thread and submits it; from then on the device
 * owns it until it calls {@link #endio(BlockStatus)}, exactly once, which runs the completion
 * callback set by the builder. After that nothing may touch the BIO's memory.
 */
public final class Bio {
  /** Most segments one BIO holds: the kernel's {@code BIO_MAX_VECS}. */
  public static final int MAX_VECS = 256;

  /** Completion callback: the kernel's {@code bi_end_io}. */
  @FunctionalInterface
  public interface EndIo {
    void endio(Bio bio);
  }

  private final BlockDevice bdev;
  private final BioOp op;
  private final Set<BioFlag> flags;
  private final BioVec[] vecs;
  private long sector;
  private int vcnt;
  private int size;
  private EndIo endIo;
  private volatile BlockStatus status = BlockStatus.OK;
  private final AtomicBoolean ended = new AtomicBoolean();
  private Object privateData;

  /**
   * Allocates a BIO with room for {@code maxVecs} segments: the kernel's {@code bio_alloc}.
   *
   * @param maxVecs 0 for a data-less BIO (flush), else 1..{@link #MAX_VECS}
   */
  public Bio(BlockDevice bdev, BioOp op, Set<BioFlag> flags, int maxVecs) {
    this.bdev = Objects.requireNonNull(bdev, "bdev");
    this.op = Objects.requireNonNull(op, "op");
    if (maxVecs < 0 || maxVecs > MAX_VECS) {
      throw new IllegalArgumentException("maxVecs " + maxVecs + " not in 0.." + MAX_VECS);
    }
    this.flags = flags.isEmpty() ? EnumSet.noneOf(BioFlag.class) : EnumSet.copyOf(flags);
    this.vecs = new BioVec[maxVecs];
  }

  public BlockDevice bdev() {
    return bdev;
  }

  public BioOp op() {
    return op;
  }

  /** The flags; unmodifiable. */
  public Set<BioFlag> flags() {
    return Collections.unmodifiableSet(flags);
  }

  public boolean hasFlag(BioFlag flag) {
    return flags.contains(flag);
  }

  /** First sector (512 bytes each): the kernel's {@code bi_iter.bi_sector}. */
  public long sector() {
    return sector;
  }

  public void setSector(long sector) {
    if (sector < 0) {
      throw new IllegalArgumentException("negative sector " + sector);
    }
    this.sector = sector;
  }

  /** Total bytes: the kernel's {@code bi_iter.bi_size}. */
  public int size() {
    return size;
  }

  /** Sectors covered, rounded up. */
  public long sectors() {
    return ((long) size + BlockDevice.SECTOR_SIZE - 1) / BlockDevice.SECTOR_SIZE;
  }

  /** Number of segments in use: the kernel's {@code bi_vcnt}. */
  public int vecCount() {
    return vcnt;
  }

  /** Capacity in segments. */
  public int maxVecs() {
    return vecs.length;
  }

  /**
   * The whole segment table in order, as built; unmodifiable. Completion handlers use it: the
   * kernel's {@code bio_for_each_folio_all}. Devices use {@link #segments()}.
   */
  public List<BioVec> vecs() {
    return Collections.unmodifiableList(Arrays.asList(vecs).subList(0, vcnt));
  }

  /** Segment {@code i}. */
  public BioVec vec(int i) {
    Objects.checkIndex(i, vcnt);
    return vecs[i];
  }

  /**
   * Appends {@code length} bytes of {@code folio} from {@code offsetInFolio}; the kernel's {@code
   * bio_add_folio}. Returns false, changing nothing, when the BIO is full.
   */
  public boolean addFolio(Folio folio, int length, int offsetInFolio) {
    if (vcnt == vecs.length) {
      return false;
    }
    vecs[vcnt++] = new BioVec(folio, offsetInFolio, length);
    size += length;
    return true;
  }

  /** Appends a segment; false when full. */
  public boolean add(BioVec vec) {
    return addFolio(vec.folio(), vec.length(), vec.offsetInFolio());
  }

  /**
   * Shortens the BIO to {@code newSize} bytes: the kernel's {@code bio_truncate}. Only the size
   * changes: the segment table stays whole, so that completion still sees every folio. For a read
   * the part cut off is zeroed in memory, because the caller will treat those bytes as read.
   */
  public void truncate(int newSize) {
    if (newSize < 0 || newSize >= size) {
      return;
    }
    if (op == BioOp.READ) {
      int done = 0;
      boolean truncated = false;
      for (int i = 0; i < vcnt; i++) {
        BioVec v = vecs[i];
        if (done + v.length() > newSize) {
          int offset = truncated ? 0 : newSize - done;
          v.folio().zero(v.offsetInFolio() + offset, v.offsetInFolio() + v.length());
          truncated = true;
        }
        done += v.length();
      }
    }
    size = newSize;
  }

  /**
   * The segments a device transfers: the segment table clipped to {@link #size()} (they differ only
   * after {@link #truncate}). The kernel's {@code bio_for_each_segment}.
   */
  public List<BioVec> segments() {
    int left = size;
    List<BioVec> out = new java.util.ArrayList<>(vcnt);
    for (int i = 0; i < vcnt && left > 0; i++) {
      BioVec v = vecs[i];
      if (v.length() <= left) {
        out.add(v);
        left -= v.length();
      } else {
        out.add(new BioVec(v.folio(), v.offsetInFolio(), left));
        left = 0;
      }
    }
    return out;
  }

  public void setEndIo(EndIo endIo) {
    this.endIo = endIo;
  }

  public EndIo endIo() {
    return endIo;
  }

  /** The completion status; {@link BlockStatus#OK} until completed otherwise. */
  public BlockStatus status() {
    return status;
  }

  /** Whether {@link #endio} has run. */
  public boolean isEnded() {
    return ended.get();
  }

  /**
   * Completes the BIO with {@code status} and runs its callback: the kernel's {@code bio_endio}.
   *
   * @throws IllegalStateException if the BIO was already completed (a device bug)
   */
  public void endio(BlockStatus status) {
    if (!ended.compareAndSet(false, true)) {
      throw new IllegalStateException("bio completed twice: " + this);
    }
    this.status = Objects.requireNonNull(status, "status");
    EndIo cb = endIo;
    if (cb != null) {
      cb.endio(this);
    }
  }

  /** Free slot for whoever built the BIO: the kernel's {@code bi_private}. */
  public Object privateData() {
    return privateData;
  }

  public void setPrivateData(Object privateData) {
    this.privateData = privateData;
  }

  @Override
  public String toString() {
    return "Bio{"
        + op
        + flags
        + " "
        + bdev.name()
        + " sector="
        + sector
        + " bytes="
        + size
        + " vecs="
        + vcnt
        + "}";
  }
}
