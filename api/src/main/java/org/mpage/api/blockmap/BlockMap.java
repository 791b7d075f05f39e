package org.mpage.api.blockmap;

import java.io.IOException;
import org.mpage.api.page.BufferHead;
import org.osgi.annotation.versioning.ConsumerType;

/** One mounted filesystem's mapper of one scheme: a read-only {@code get_block}. */
@ConsumerType
public interface BlockMap {
  /**
   * Maps file block {@code iblock} of {@code inode} and as many following blocks as {@code bh}'s
   * size asks for, while they stay on one run of consecutive disk blocks (or one hole): {@code bh}
   * comes back mapped to the first disk block, or unmapped for a hole, with its size cut to the
   * blocks found. A corrupt mapping is a {@link org.mpage.api.fs.CorruptFilesystemException} made
   * by {@link BlockMapContext#corrupt}.
   */
  void map(MappedInode inode, long iblock, BufferHead bh) throws IOException;

  /**
   * The first file block at or after {@code from} that holds data ({@code wantData}) or is a hole,
   * or -1 if there is none below {@link #maxBlocks()}: the block-map half of {@code
   * SEEK_DATA}/{@code SEEK_HOLE}.
   */
  long seek(MappedInode inode, long from, boolean wantData) throws IOException;

  /** The number of file blocks the scheme can address. */
  long maxBlocks();
}
