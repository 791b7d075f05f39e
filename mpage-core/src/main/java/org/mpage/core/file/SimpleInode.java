package org.mpage.core.file;

import org.mpage.api.page.Inode;

/** An inode that is only a number, a block size and a size: enough for the page cache. */
public final class SimpleInode implements Inode {
  private final long ino;
  private final int blockBits;
  private volatile long size;

  public SimpleInode(long ino, int blockBits, long size) {
    if (blockBits < 9 || blockBits > 12) {
      throw new IllegalArgumentException("block bits must be 9..12: " + blockBits);
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    this.ino = ino;
    this.blockBits = blockBits;
    this.size = size;
  }

  @Override
  public long ino() {
    return ino;
  }

  @Override
  public int blockBits() {
    return blockBits;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void setSize(long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    this.size = size;
  }

  @Override
  public String toString() {
    return "inode " + ino;
  }
}
