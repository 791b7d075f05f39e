package org.mpage.core.file;

import java.util.concurrent.locks.ReentrantLock;
import org.mpage.api.page.Inode;
import org.mpage.core.pagecache.Mapping;

/**
 * A file as the page cache serves it: its inode, its mapping, and the writer lock that the kernel's
 * {@code inode_lock} is for writes and truncation. Open it for a handle with its own readahead
 * state and error cursor.
 */
public final class CachedFile implements org.mpage.api.fs.CachedFileData {
  private final FileEngine engine;
  private final Mapping mapping;
  private final String name;
  final ReentrantLock writeLock = new ReentrantLock();

  CachedFile(FileEngine engine, Mapping mapping, String name) {
    this.engine = engine;
    this.mapping = mapping;
    this.name = name;
  }

  public Mapping mapping() {
    return mapping;
  }

  @Override
  public Inode inode() {
    return mapping.host();
  }

  public String name() {
    return name;
  }

  FileEngine engine() {
    return engine;
  }

  /** A new open file description: the kernel's {@code open()}. */
  @Override
  public OpenFile open() {
    return new OpenFile(this);
  }

  @Override
  public java.util.concurrent.locks.Lock inodeLock() {
    return writeLock;
  }

  @Override
  public void dropPages(long fromPage) {
    mapping.truncatePages(fromPage);
  }

  @Override
  public void truncate(long size) {
    new OpenFile(this).truncate(size);
  }

  @Override
  public String toString() {
    return name;
  }
}
