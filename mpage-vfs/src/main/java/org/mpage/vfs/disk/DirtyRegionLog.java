package org.mpage.vfs.disk;

import java.util.concurrent.atomic.AtomicLongArray;
import org.mpage.api.block.BioOp;

/**
 * The dirty-region log of a {@link Migration}: one bit per region of the device, set when a write
 * through the slot touches the region, cleared by the copier just before it copies the region. The
 * kernel's core dirty log ({@code drivers/md/dm-log.c}, {@code core_log}) as dm-raid1's region hash
 * uses it: in memory only, since a migration does not outlive its mount.
 *
 * <p>A region's bit is cleared <em>before</em> its copy is read, so a write landing during the copy
 * sets it again and the region is copied once more on the next pass; nothing written is ever lost
 * between the two. Lock-free: writers mark from their completion threads, the copier clears from
 * its own.
 */
final class DirtyRegionLog {
  private final int regionSectors;
  private final long regions;
  private final AtomicLongArray bits;

  /**
   * @param capacitySectors the device's size
   * @param regionSectors sectors per region (a power of two)
   */
  DirtyRegionLog(long capacitySectors, int regionSectors) {
    if (Integer.bitCount(regionSectors) != 1) {
      throw new IllegalArgumentException("region of " + regionSectors + " sectors: not 2^n");
    }
    this.regionSectors = regionSectors;
    this.regions = (capacitySectors + regionSectors - 1) / regionSectors;
    this.bits = new AtomicLongArray((int) ((regions + 63) / 64));
  }

  long regions() {
    return regions;
  }

  int regionSectors() {
    return regionSectors;
  }

  /** Marks every region; the first pass of a migration is a full resync. */
  void markAll() {
    for (long r = 0; r < regions; r++) {
      set(r);
    }
  }

  /** Marks what a completed {@code op} touched in {@code log}, if there is a log and it wrote. */
  static void markWrite(DirtyRegionLog log, BioOp op, long sector, long sectors) {
    if (log != null && op == BioOp.WRITE) {
      log.mark(sector, sectors);
    }
  }

  /** Marks the regions that {@code sectors} sectors from {@code sector} touch. */
  void mark(long sector, long sectors) {
    if (sectors <= 0) {
      return;
    }
    long first = sector / regionSectors;
    long last = Math.min(regions - 1, (sector + sectors - 1) / regionSectors);
    for (long r = first; r <= last; r++) {
      set(r);
    }
  }

  private void set(long region) {
    int word = (int) (region >>> 6);
    long bit = 1L << (region & 63);
    long old;
    do {
      old = bits.get(word);
      if ((old & bit) != 0) {
        return;
      }
    } while (!bits.compareAndSet(word, old, old | bit));
  }

  /** Clears the bit of {@code region}; returns whether it was set. */
  boolean testAndClear(long region) {
    int word = (int) (region >>> 6);
    long bit = 1L << (region & 63);
    long old;
    do {
      old = bits.get(word);
      if ((old & bit) == 0) {
        return false;
      }
    } while (!bits.compareAndSet(word, old, old & ~bit));
    return true;
  }

  /** Regions marked now. */
  long dirtyRegions() {
    long n = 0;
    for (int i = 0; i < bits.length(); i++) {
      n += Long.bitCount(bits.get(i));
    }
    return n;
  }
}
