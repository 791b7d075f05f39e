package org.mpage.api.fs;

import java.io.IOException;

/**
 * The filesystem's on-disk structures are inconsistent. The message names the inode and/or block
 * where the problem was found; the operation fails, nothing else is touched.
 */
public class CorruptFilesystemException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long inode;
  private final long block;
  private final String problem;

  /**
   * @param inode the inode involved, or -1
   * @param block the block involved, or -1
   */
  public CorruptFilesystemException(String message, long inode, long block) {
    super(describe(message, inode, block));
    this.inode = inode;
    this.block = block;
    this.problem = message;
  }

  /** What is wrong, without the inode and block (which {@link #getMessage()} adds). */
  public String problem() {
    return problem;
  }

  private static String describe(String message, long inode, long block) {
    StringBuilder sb = new StringBuilder("corrupt filesystem: ").append(message);
    if (inode >= 0) {
      sb.append(" (inode ").append(inode);
      if (block >= 0) {
        sb.append(", block ").append(block);
      }
      sb.append(')');
    } else if (block >= 0) {
      sb.append(" (block ").append(block).append(')');
    }
    return sb.toString();
  }

  /** The inode involved, or -1. */
  public long inode() {
    return inode;
  }

  /** The block involved, or -1. */
  public long block() {
    return block;
  }
}
