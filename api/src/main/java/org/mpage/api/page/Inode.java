package org.mpage.api.page;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The host of an address space as the page cache sees it: the kernel's {@code struct inode} fields
 * that mpage reads ({@code i_ino}, {@code i_blkbits}, {@code i_size}).
 *
 * <p>The size is read without locks by readers and written by the writer that extends the file, so
 * implementations keep it in a volatile field.
 */
@ConsumerType
public interface Inode {
  /** Inode number, for messages and cache keys. */
  long ino();

  /** log2 of the filesystem block size: 9 (512) to 12 (4096). */
  int blockBits();

  /** File size in bytes: the kernel's {@code i_size_read}. */
  long size();

  /** Sets the file size: the kernel's {@code i_size_write}. */
  void setSize(long size);

  /** Block size in bytes. */
  default int blockSize() {
    return 1 << blockBits();
  }
}
