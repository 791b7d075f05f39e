package org.mpage.bench;

import org.mpage.api.block.BlockDevice;
import org.mpage.api.page.GetBlock;

/** A get_block for a file stored as one extent from a given physical block, as ext2 maps it. */
final class Extent {
  private Extent() {}

  /**
   * Maps file block b to {@code physStart + b}, as many blocks as asked for but never past a
   * boundary every 1024 blocks (an indirect block's worth), so the boundary logic runs too.
   */
  static GetBlock getBlock(BlockDevice dev, long physStart) {
    return (inode, iblock, bh, create) -> {
      long lastBlock = (inode.size() + inode.blockSize() - 1) >> inode.blockBits();
      if (iblock >= lastBlock) {
        return;
      }
      bh.map(dev, physStart + iblock);
      long wanted = Math.max(1, bh.size() >> inode.blockBits());
      long toBoundary = 1024 - (iblock % 1024);
      long n = Math.min(Math.min(wanted, toBoundary), lastBlock - iblock);
      bh.setSize((int) (n << inode.blockBits()));
      if (n == toBoundary) {
        bh.set(org.mpage.api.page.BhState.BOUNDARY);
      }
    };
  }
}
