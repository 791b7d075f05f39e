// fs/ext2/inode.c: ext2_truncate_blocks, __ext2_truncate_blocks, ext2_free_branches
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.page.BufferHead;
import org.mpage.fs.ext2.disk.Ext2Inode;

/**
 * Frees the blocks of a file from a given block on: the kernel's {@code ext2_truncate_blocks}
 * (fs/ext2/inode.c). Data blocks past the cut are freed, indirect blocks that become empty with
 * them, partly used ones are kept with their tail cleared. The caller holds the filesystem lock.
 */
final class Ext2Truncate {
  private final Ext2SbInfo fs;
  private final BufferCache bc;
  private final Ext2Inode ei;
  private final long ptrs;

  Ext2Truncate(Ext2SbInfo fs, Ext2Inode ei) {
    this.fs = fs;
    this.bc = fs.bufferCache();
    this.ei = ei;
    this.ptrs = 1L << (ei.blockBits() - 2);
  }

  // __ext2_truncate_blocks
  /** Frees every file block {@code >= first}. */
  void freeFrom(long first) throws IOException {
    for (int i = (int) Math.max(0, Math.min(first, Ext2Inode.NDIR_BLOCKS));
        i < Ext2Inode.NDIR_BLOCKS;
        i++) {
      if (ei.block[i] != 0) {
        free(ei.block[i]);
        ei.block[i] = 0;
      }
    }
    long base = Ext2Inode.NDIR_BLOCKS;
    long span = ptrs;
    for (int slot = Ext2Inode.IND_BLOCK, depth = 1; slot <= Ext2Inode.TIND_BLOCK; slot++, depth++) {
      ei.block[slot] = freeTree(ei.block[slot], depth, first - base, span);
      base += span;
      span *= ptrs;
    }
    fs.inodeChanged(ei);
  }

  // ext2_free_branches
  /**
   * Frees the part of the tree under {@code block} (covering {@code span} file blocks) from
   * relative block {@code from} on. Returns the block's pointer afterwards (0 once freed).
   */
  private long freeTree(long block, int depth, long from, long span) throws IOException {
    if (block == 0 || from >= span) {
      return block;
    }
    long start = Math.max(0, from);
    fs.checkBlock(block, ei.ino, "indirect block");
    long childSpan = span / ptrs;
    BufferHead bh = bc.bread(block);
    try {
      ByteBuffer d = bh.data().order(ByteOrder.LITTLE_ENDIAN);
      boolean changed = false;
      for (int i = 0; i < ptrs; i++) {
        long child = Integer.toUnsignedLong(d.getInt(i * 4));
        if (child == 0) {
          continue;
        }
        long kept;
        if (depth == 1) {
          if (i < start) {
            continue;
          }
          free(child);
          kept = 0;
        } else {
          kept = freeTree(child, depth - 1, start - i * childSpan, childSpan);
        }
        if (kept != child) {
          d.putInt(i * 4, (int) kept);
          changed = true;
        }
      }
      if (start == 0) {
        free(block);
        return 0;
      }
      if (changed) {
        bc.markBufferDirty(bh);
      }
      return block;
    } finally {
      bh.put();
    }
  }

  private void free(long block) throws IOException {
    fs.balloc().freeBlocks(block, 1, ei.ino);
    ei.blocks -= (1L << ei.blockBits()) >> 9;
    if (ei.blocks < 0) {
      ei.blocks = 0;
    }
  }
}
