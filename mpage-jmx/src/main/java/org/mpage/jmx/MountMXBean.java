package org.mpage.jmx;

/**
 * A mounted filesystem ({@code org.mpage:type=Mount,name=DEVICE}), what its superblock says, and
 * its share of the page cache's hits and misses ({@link EngineMXBean} has the engine's totals).
 */
public interface MountMXBean {
  /** The device name it is mounted on. */
  String getDevice();

  /** The filesystem type ({@code ext2}). */
  String getType();

  /** {@code ro} or {@code rw}. */
  String getMode();

  /** What a replacement backend must have (ext2: the superblock UUID). */
  String getIdentity();

  /** The filesystem's block size in bytes. */
  int getBlockSize();

  /** Blocks in the filesystem. */
  long getBlocksCount();

  /** Free blocks. */
  long getFreeBlocks();

  /** Inodes in the filesystem. */
  long getInodesCount();

  /** Free inodes. */
  long getFreeInodes();

  /** The superblock's state ({@code clean}, {@code not clean}). */
  String getFsState();

  /**
   * Reads of this device's files that found the page cached, since the engine started (a remount
   * goes on counting, as a device's diskstats do).
   */
  long getCacheHits();

  /**
   * Reads of this device's files that had to read the page in, counted as {@link #getCacheHits}.
   */
  long getCacheMisses();
}
