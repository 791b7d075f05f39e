package org.mpage.jmx;

/**
 * A mounted filesystem ({@code org.mpage:type=Mount,name=DEVICE}) and what its superblock says.
 * Page cache hits and misses are the engine's, shared by every mount: see {@link EngineMXBean}.
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
}
