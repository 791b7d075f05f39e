package org.mpage.core.file;

import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.buffer.BufferAops;
import org.mpage.core.mpage.Mpage;
import org.mpage.core.mpage.MpageAops;
import org.mpage.core.mpage.Revision;
import org.mpage.core.pagecache.AddressSpaceOps;
import org.mpage.core.pagecache.PageCache;
import org.mpage.core.readahead.Readahead;

/**
 * What open files need from the engine: the page cache, readahead, the block layer and the revision
 * whose error reporting fsync follows. Creates {@link CachedFile}s.
 */
public final class FileEngine {
  private final PageCache cache;
  private final BlockLayer blk;
  private final Readahead readahead;
  private final Mpage mpage;
  private final int raPages;

  public FileEngine(Mpage mpage, int readAheadKb) {
    this.mpage = mpage;
    this.cache = mpage.buffers().pageCache();
    this.blk = mpage.buffers().blockLayer();
    this.readahead = new Readahead(blk);
    this.raPages = Math.max(0, readAheadKb / 4);
  }

  /** A file whose pages go through mpage with {@code getBlock}. */
  public CachedFile file(String name, Inode inode, GetBlock getBlock, String pool) {
    return file(name, inode, new MpageAops(mpage, getBlock), pool);
  }

  /** Likewise, allocating blocks when data is written rather than at writeback. */
  public CachedFile fileAllocatingOnWrite(
      String name, Inode inode, GetBlock getBlock, String pool) {
    return file(name, inode, new MpageAops(mpage, getBlock, true), pool);
  }

  /** A file whose pages go through the buffer path only (the differential reference). */
  public CachedFile bufferPathFile(String name, Inode inode, GetBlock getBlock, String pool) {
    return file(name, inode, new BufferAops(mpage.buffers(), getBlock), pool);
  }

  /** A file with any address space operations. */
  public CachedFile file(String name, Inode inode, AddressSpaceOps ops, String pool) {
    return new CachedFile(this, cache.newMapping(inode, ops, pool), name);
  }

  PageCache cache() {
    return cache;
  }

  BlockLayer blockLayer() {
    return blk;
  }

  Readahead readahead() {
    return readahead;
  }

  Revision revision() {
    return mpage.revision();
  }

  int raPages() {
    return raPages;
  }
}
