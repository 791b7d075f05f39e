package org.mpage.fs.ext2;

import java.nio.ByteBuffer;
import org.mpage.api.blockmap.BlockMapContext;
import org.mpage.api.blockmap.MappedInode;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.fs.ext2.disk.Ext2Inode;

/** What one ext2 mount lends a block-mapping scheme: its buffer cache, bounds and checksums. */
final class Ext2MapContext implements BlockMapContext {
  private final Ext2SbInfo fs;

  Ext2MapContext(Ext2SbInfo fs) {
    this.fs = fs;
  }

  @Override
  public BufferCache bufferCache() {
    return fs.bufferCache();
  }

  @Override
  public long firstDataBlock() {
    return fs.superblock().firstDataBlock;
  }

  @Override
  public long blocksCount() {
    return fs.superblock().blocksCount;
  }

  @Override
  public CorruptFilesystemException corrupt(String problem, long ino, long block) {
    return fs.corrupt(problem, ino, block);
  }

  @Override
  public void verifyMapBlock(MappedInode inode, long block, ByteBuffer content)
      throws CorruptFilesystemException {
    fs.checksums().checkExtentBlock((Ext2Inode) inode, block, content.duplicate());
  }
}
