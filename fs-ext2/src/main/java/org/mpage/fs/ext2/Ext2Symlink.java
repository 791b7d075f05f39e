// fs/ext2/symlink.c: fast symlinks in the block map, slow ones in a data block
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mpage.api.fs.Names;
import org.mpage.api.page.BufferHead;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * Symbolic link targets. A target shorter than the block map's 60 bytes lives in the map itself (a
 * fast symlink, no data block); a longer one fills the start of the link's one data block. Targets
 * are bytes, carried in strings by {@link Names}.
 */
final class Ext2Symlink {
  static final int FAST_SYMLINK_MAX = Ext2Inode.N_BLOCKS * 4;

  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final Ext2GetBlock getBlock;
  private final Ext4InlineData inline;

  Ext2Symlink(Ext2SbInfo fs, Ext2GetBlock getBlock, Ext4InlineData inline) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.getBlock = getBlock;
    this.inline = inline;
  }

  // ext2_get_link (fast) and page_get_link (slow)
  /** The target of a symlink inode: in the block map (fast) or in its first block (slow). */
  String readLink(Ext2Inode link) throws IOException {
    long size = link.size();
    if (link.hasInlineData()) {
      return Names.fromBytes(inline.read(link)); // ext4: a target kept as inline data
    }
    if (link.isFastSymlink()) {
      if (size >= FAST_SYMLINK_MAX) {
        throw fs.corrupt("fast symlink of size " + size, link.ino, -1);
      }
      return Names.fromBytes(link.blockBytes, 0, (int) size);
    }
    if (size >= sb.blockSize) {
      throw fs.corrupt("symlink of size " + size + " does not fit its block", link.ino, -1);
    }
    BufferHead map = new BufferHead();
    map.setSize(sb.blockSize);
    getBlock.getBlock(link, 0, map, false);
    if (!map.isMapped()) {
      throw fs.corrupt("symlink without its data block", link.ino, -1);
    }
    BufferHead bh = fs.bufferCache().bread(map.blocknr());
    try {
      byte[] target = new byte[(int) size];
      bh.data().get(target);
      return Names.fromBytes(target);
    } finally {
      bh.put();
    }
  }

  // the target half of ext2_symlink (fs/ext2/namei.c): page_symlink or the fast copy
  /** Stores {@code target} in a new link inode. Holds the lock. */
  void writeTarget(Ext2Dir dir, Ext2Inode link, byte[] target) throws IOException {
    if (target.length < FAST_SYMLINK_MAX) {
      System.arraycopy(target, 0, link.blockBytes, 0, target.length);
      link.setSize(target.length);
    } else {
      long phys = dir.mapDirBlock(link, 0, true);
      fs.writeNewBlock(phys, ByteBuffer.wrap(Arrays.copyOf(target, sb.blockSize)));
      link.setSize(target.length);
    }
  }
}
