package org.mpage.api.blockmap;

import org.mpage.api.page.Inode;
import org.osgi.annotation.versioning.ConsumerType;

/** An inode as a block-mapping scheme sees it: its number, block size and on-disk block map. */
@ConsumerType
public interface MappedInode extends Inode {
  /**
   * The inode's block map as stored in the inode (ext2's {@code i_block}: 60 bytes, little-endian),
   * which the scheme must not change.
   */
  byte[] blockMap();
}
