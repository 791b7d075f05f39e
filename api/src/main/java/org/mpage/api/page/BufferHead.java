package org.mpage.api.page;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;

/**
 * The mapping of one filesystem block, and the buffer that caches it when it is attached to a
 * folio: the kernel's {@code struct buffer_head}.
 *
 * <p>get_block uses a detached buffer head as its in/out argument: the caller clears the state and
 * asks for {@link #size()} bytes; the filesystem answers with {@link BhState#MAPPED}, {@link
 * #blocknr()}, the length of the contiguous extent in {@link #size()} and hint bits ({@link
 * BhState#NEW}, {@link BhState#BOUNDARY}, {@link BhState#UPTODATE}).
 *
 * <p>Attached buffers form a ring through {@link #thisPage()} and cover {@code size} bytes of their
 * folio at {@link #offsetInFolio()}. State changes are atomic; {@link BhState#LOCK} is a sleeping
 * lock that any thread may release.
 */
public final class BufferHead {
  /** Completion callback of buffer I/O: the kernel's {@code b_end_io}. */
  @FunctionalInterface
  public interface EndIo {
    void endio(BufferHead bh, BlockStatus status);
  }

  private int state;
  private long blocknr = -1;
  private int size;
  private BlockDevice bdev;
  private Folio folio;
  private int offsetInFolio;
  private BufferHead thisPage;
  private volatile EndIo endIo;
  private Object privateData;
  private int count;

  /** A detached buffer head, as used for get_block calls. */
  public BufferHead() {}

  /** A buffer of {@code size} bytes at {@code offsetInFolio} of {@code folio}. */
  public BufferHead(Folio folio, int offsetInFolio, int size) {
    this.folio = folio;
    this.offsetInFolio = offsetInFolio;
    this.size = size;
  }

  // ---- state ----

  public synchronized boolean test(BhState s) {
    return (state & s.bit()) != 0;
  }

  public synchronized void set(BhState s) {
    state |= s.bit();
  }

  public synchronized void clear(BhState s) {
    state &= ~s.bit();
    if (s == BhState.LOCK) {
      notifyAll();
    }
  }

  public synchronized boolean testAndSet(BhState s) {
    boolean was = (state & s.bit()) != 0;
    state |= s.bit();
    return was;
  }

  public synchronized boolean testAndClear(BhState s) {
    boolean was = (state & s.bit()) != 0;
    state &= ~s.bit();
    return was;
  }

  /** Clears every bit (the caller's {@code bh->b_state = 0} before get_block). */
  public synchronized void clearState() {
    state = 0;
  }

  /** Copies all state bits of {@code other}, as {@code map_buffer_to_folio} does. */
  public void copyStateFrom(BufferHead other) {
    int s = other.rawState();
    synchronized (this) {
      state = s;
    }
  }

  private synchronized int rawState() {
    return state;
  }

  /** A snapshot of the state bits. */
  public synchronized Set<BhState> state() {
    EnumSet<BhState> set = EnumSet.noneOf(BhState.class);
    for (BhState s : BhState.values()) {
      if ((state & s.bit()) != 0) {
        set.add(s);
      }
    }
    return set;
  }

  public boolean isMapped() {
    return test(BhState.MAPPED);
  }

  public boolean isUptodate() {
    return test(BhState.UPTODATE);
  }

  public boolean isDirty() {
    return test(BhState.DIRTY);
  }

  public boolean isNew() {
    return test(BhState.NEW);
  }

  public boolean isBoundary() {
    return test(BhState.BOUNDARY);
  }

  public boolean isLocked() {
    return test(BhState.LOCK);
  }

  /** Maps the buffer to {@code blocknr} on {@code bdev}: the kernel's {@code map_bh}. */
  public void map(BlockDevice bdev, long blocknr) {
    this.bdev = bdev;
    this.blocknr = blocknr;
    set(BhState.MAPPED);
  }

  // ---- lock ----

  /** Takes the buffer lock, waiting as long as needed: the kernel's {@code lock_buffer}. */
  public synchronized void lock() {
    boolean interrupted = false;
    while ((state & BhState.LOCK.bit()) != 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    state |= BhState.LOCK.bit();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes the lock if free: the kernel's {@code trylock_buffer}. */
  public synchronized boolean tryLock() {
    if ((state & BhState.LOCK.bit()) != 0) {
      return false;
    }
    state |= BhState.LOCK.bit();
    return true;
  }

  /** Releases the lock: the kernel's {@code unlock_buffer}. */
  public synchronized void unlock() {
    state &= ~BhState.LOCK.bit();
    notifyAll();
  }

  /** Waits until the buffer is unlocked: the kernel's {@code wait_on_buffer}. */
  public synchronized void waitUnlocked() {
    boolean interrupted = false;
    while ((state & BhState.LOCK.bit()) != 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- references ----

  /** Pins the buffer (and its folio) against eviction: the kernel's {@code get_bh}. */
  public synchronized void get() {
    count++;
  }

  /** Releases a pin: the kernel's {@code put_bh} / {@code brelse}. */
  public synchronized void put() {
    if (count == 0) {
      throw new IllegalStateException("put of unpinned buffer " + this);
    }
    count--;
  }

  /** Number of pins. */
  public synchronized int count() {
    return count;
  }

  // ---- fields ----

  /** Disk block number in units of {@link #size()}-sized blocks when mapped. */
  public long blocknr() {
    return blocknr;
  }

  public void setBlocknr(long blocknr) {
    this.blocknr = blocknr;
  }

  /** Bytes: the buffer's size, or on a get_block call the extent asked for and returned. */
  public int size() {
    return size;
  }

  public void setSize(int size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative buffer size " + size);
    }
    this.size = size;
  }

  public BlockDevice bdev() {
    return bdev;
  }

  public void setBdev(BlockDevice bdev) {
    this.bdev = bdev;
  }

  /** The folio the buffer lives in, or null for a detached mapping buffer. */
  public Folio folio() {
    return folio;
  }

  public void setFolio(Folio folio) {
    this.folio = folio;
  }

  /** Byte offset of the buffer in its folio (the kernel's {@code b_data}). */
  public int offsetInFolio() {
    return offsetInFolio;
  }

  /** The next buffer of the folio's ring. */
  public BufferHead thisPage() {
    return thisPage;
  }

  public void setThisPage(BufferHead next) {
    this.thisPage = next;
  }

  /** A view of the buffer's bytes (position 0, limit {@link #size()}). */
  /**
   * The little-endian 32-bit value at {@code offset} in this buffer's data, read in place: no view
   * is made (the on-disk pointer lookups of get_block run once per block on the buffer path).
   */
  public int getIntLE(int offset) {
    if (folio == null) {
      throw new IllegalStateException("buffer has no memory: it is not attached to a folio");
    }
    java.util.Objects.checkFromIndexSize(offset, 4, size);
    ByteBuffer raw = folio.rawMemory();
    int v = raw.getInt(offsetInFolio + offset);
    return raw.order() == java.nio.ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
  }

  public ByteBuffer data() {
    if (folio == null) {
      throw new IllegalStateException("buffer has no memory: it is not attached to a folio");
    }
    return folio.memory().slice(offsetInFolio, size);
  }

  public EndIo endIo() {
    return endIo;
  }

  public void setEndIo(EndIo endIo) {
    this.endIo = endIo;
  }

  public Object privateData() {
    return privateData;
  }

  public void setPrivateData(Object privateData) {
    this.privateData = privateData;
  }

  @Override
  public String toString() {
    return "BufferHead{block=" + blocknr + " size=" + size + " " + state() + "}";
  }
}
