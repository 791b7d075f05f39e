package org.mpage.api.page;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One page of cached file (or device) data: {@value #PAGE_SIZE} bytes of memory, its index in the
 * owning {@link AddressSpace}, state flags and an optional ring of {@link BufferHead}s. The
 * kernel's order-0 {@code struct folio}.
 *
 * <p>Locking: {@link FolioFlag#LOCKED} is a sleeping lock that is not owned by a thread: the thread
 * that starts a read locks the folio and the completion thread unlocks it, as in the kernel. All
 * flag changes and waits synchronize on the folio itself, so a waiter never misses a wake-up.
 *
 * <p>The memory is shared: use absolute {@link ByteBuffer} methods or {@link #memory()} slices,
 * never the buffer's position.
 */
public final class Folio {
  /** Bytes per page. */
  public static final int PAGE_SIZE = 4096;

  /** log2 of {@link #PAGE_SIZE}. */
  public static final int PAGE_SHIFT = 12;

  private final AddressSpace mapping;
  private final long index;
  private final ByteBuffer memory;
  private int flags;
  private BufferHead buffers;
  private Object privateData;
  private final AtomicInteger refcount = new AtomicInteger(1);

  /**
   * Wraps {@code memory} (exactly one page, usually a slice of a direct arena) as page {@code
   * index} of {@code mapping}.
   */
  public Folio(AddressSpace mapping, long index, ByteBuffer memory) {
    if (memory.capacity() != PAGE_SIZE) {
      throw new IllegalArgumentException("folio memory must be " + PAGE_SIZE + " bytes");
    }
    if (index < 0) {
      throw new IllegalArgumentException("negative folio index " + index);
    }
    this.mapping = mapping;
    this.index = index;
    this.memory = memory;
  }

  /** The owning address space: the kernel's {@code folio->mapping}; null for an anonymous page. */
  public AddressSpace mapping() {
    return mapping;
  }

  /** Page index in the file. */
  public long index() {
    return index;
  }

  /** Byte position of the folio in the file: the kernel's {@code folio_pos}. */
  public long pos() {
    return index << PAGE_SHIFT;
  }

  /** A view of the whole page with its own position and limit. */
  public ByteBuffer memory() {
    return memory.duplicate().clear();
  }

  /** The shared buffer itself, for absolute access on hot paths; never move its position. */
  public ByteBuffer rawMemory() {
    return memory;
  }

  /** Fills bytes {@code [from, to)} with zeros: the kernel's {@code folio_zero_segment}. */
  public void zero(int from, int to) {
    Objects.checkFromToIndex(from, to, PAGE_SIZE);
    int i = from;
    for (; i + 8 <= to; i += 8) {
      memory.putLong(i, 0L);
    }
    for (; i < to; i++) {
      memory.put(i, (byte) 0);
    }
  }

  // ---- flags ----

  public synchronized boolean test(FolioFlag flag) {
    return (flags & flag.bit()) != 0;
  }

  public synchronized void set(FolioFlag flag) {
    flags |= flag.bit();
  }

  public synchronized void clear(FolioFlag flag) {
    flags &= ~flag.bit();
    wake();
  }

  /** Sets {@code flag}, returning whether it was set before. */
  public synchronized boolean testAndSet(FolioFlag flag) {
    boolean was = (flags & flag.bit()) != 0;
    flags |= flag.bit();
    return was;
  }

  /** Clears {@code flag}, returning whether it was set before. */
  public synchronized boolean testAndClear(FolioFlag flag) {
    boolean was = (flags & flag.bit()) != 0;
    flags &= ~flag.bit();
    wake();
    return was;
  }

  /** A snapshot of all flags. */
  public synchronized Set<FolioFlag> flags() {
    EnumSet<FolioFlag> set = EnumSet.noneOf(FolioFlag.class);
    for (FolioFlag f : FolioFlag.values()) {
      if ((flags & f.bit()) != 0) {
        set.add(f);
      }
    }
    return set;
  }

  public boolean isUptodate() {
    return test(FolioFlag.UPTODATE);
  }

  public boolean isLocked() {
    return test(FolioFlag.LOCKED);
  }

  public boolean isDirty() {
    return test(FolioFlag.DIRTY);
  }

  public boolean isWriteback() {
    return test(FolioFlag.WRITEBACK);
  }

  /** Marks the data valid: the kernel's {@code folio_mark_uptodate}. */
  public void markUptodate() {
    set(FolioFlag.UPTODATE);
  }

  // ---- the folio lock ----

  /** Threads waiting on this folio's monitor; guarded by it. */
  private int waiters;

  /** Wakes waiters, if any: a notify with nobody waiting still costs a call into the VM. */
  private void wake() {
    if (waiters > 0) {
      notifyAll();
    }
  }

  /** Takes the folio lock, waiting as long as needed: the kernel's {@code folio_lock}. */
  public synchronized void lock() {
    boolean interrupted = false;
    while ((flags & FolioFlag.LOCKED.bit()) != 0) {
      try {
        waiters++;
        try {
          wait();
        } finally {
          waiters--;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    flags |= FolioFlag.LOCKED.bit();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes the lock if free: the kernel's {@code folio_trylock}. */
  public synchronized boolean tryLock() {
    if ((flags & FolioFlag.LOCKED.bit()) != 0) {
      return false;
    }
    flags |= FolioFlag.LOCKED.bit();
    return true;
  }

  /** Takes the lock, waiting at most {@code timeout}; false if it timed out. */
  public synchronized boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while ((flags & FolioFlag.LOCKED.bit()) != 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      waiters++;
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } finally {
        waiters--;
      }
    }
    flags |= FolioFlag.LOCKED.bit();
    return true;
  }

  /**
   * Releases the lock and wakes waiters: the kernel's {@code folio_unlock}. Any thread may unlock.
   *
   * @throws IllegalStateException if the folio is not locked
   */
  public synchronized void unlock() {
    if ((flags & FolioFlag.LOCKED.bit()) == 0) {
      throw new IllegalStateException("unlock of unlocked folio " + this);
    }
    flags &= ~FolioFlag.LOCKED.bit();
    wake();
  }

  /** Waits until {@code flag} is clear: {@code folio_wait_locked}, {@code folio_wait_writeback}. */
  public synchronized void waitUntilClear(FolioFlag flag) {
    boolean interrupted = false;
    while ((flags & flag.bit()) != 0) {
      try {
        waiters++;
        try {
          wait();
        } finally {
          waiters--;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits at most {@code timeout} for {@code flag} to clear; false if it is still set. */
  public synchronized boolean waitUntilClear(FolioFlag flag, long timeout, TimeUnit unit)
      throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while ((flags & flag.bit()) != 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      waiters++;
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } finally {
        waiters--;
      }
    }
    return true;
  }

  // ---- references ----

  /**
   * Takes a reference unless the folio is already being freed: the kernel's {@code folio_try_get}.
   * A folio found in a cache index is only safe to use after this succeeds.
   */
  public boolean tryGet() {
    while (true) {
      int c = refcount.get();
      if (c == 0) {
        return false;
      }
      if (refcount.compareAndSet(c, c + 1)) {
        return true;
      }
    }
  }

  /**
   * Drops a reference: the kernel's {@code folio_put}. Returns true for the last one, whose owner
   * then releases the memory.
   */
  public boolean put() {
    int c = refcount.decrementAndGet();
    if (c < 0) {
      throw new IllegalStateException("folio reference count below zero: " + this);
    }
    return c == 0;
  }

  /** Current number of references (the cache index holds one). */
  public int refcount() {
    return refcount.get();
  }

  // ---- buffers ----

  /** The first buffer of the folio's ring, or null: the kernel's {@code folio_buffers}. */
  public synchronized BufferHead buffers() {
    return buffers;
  }

  /** Attaches (or with null detaches) a buffer ring: {@code folio_attach_private}. */
  public synchronized void setBuffers(BufferHead head) {
    this.buffers = head;
  }

  public Object privateData() {
    return privateData;
  }

  public void setPrivateData(Object privateData) {
    this.privateData = privateData;
  }

  @Override
  public String toString() {
    return "Folio{index=" + index + " " + flags() + "}";
  }
}
