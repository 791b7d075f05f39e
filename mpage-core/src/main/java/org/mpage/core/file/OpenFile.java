package org.mpage.core.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.WritebackControl;
import org.mpage.api.page.WritebackException;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.pagecache.PageCache;
import org.mpage.core.readahead.FileRaState;
import org.mpage.core.writeback.WriteCachePages;

/**
 * An open file description: buffered read and write through the page cache, fsync with error
 * reporting, truncation. Carries its own readahead state and its sample of the mapping's writeback
 * error sequence, so each open file sees each writeback error once.
 *
 * <p>Reads copy each page under its folio lock, so a read never returns half of a concurrent write
 * to the same page (the kernel gives no such promise; here it is cheap and makes concurrent use
 * checkable). Writers of one file are serialized by the file's writer lock. One open file is used
 * by one thread at a time, like a {@code FileChannel} position.
 */
public final class OpenFile implements org.mpage.api.fs.FileHandle {
  private final CachedFile file;
  private final Mapping mapping;
  private final FileEngine engine;
  private final FileRaState ra;
  private final int[] wbErrSince = new int[1];

  OpenFile(CachedFile file) {
    this.file = file;
    this.mapping = file.mapping();
    this.engine = file.engine();
    this.ra = new FileRaState(engine.raPages());
    this.wbErrSince[0] = mapping.wbErr().sample();
  }

  public FileRaState raState() {
    return ra;
  }

  @Override
  public long size() {
    return mapping.host().size();
  }

  /**
   * Reads up to {@code dst.remaining()} bytes at {@code pos}: the kernel's {@code filemap_read}.
   * Returns the count, or -1 at or past EOF.
   *
   * @throws IOException if a page cannot be read (device error, get_block error)
   */
  @Override
  public int read(long pos, ByteBuffer dst) throws IOException {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    long isize = mapping.host().size();
    if (pos >= isize) {
      return -1;
    }
    long end = Math.min(pos + dst.remaining(), isize);
    long lastIndex = (end - 1) >> Folio.PAGE_SHIFT;
    int total = 0;
    while (pos < end) {
      long index = pos >> Folio.PAGE_SHIFT;
      Folio folio = getReadFolio(index, lastIndex);
      try {
        int offset = (int) (pos & (Folio.PAGE_SIZE - 1));
        int n = (int) Math.min(end - pos, Folio.PAGE_SIZE - offset);
        folio.lock();
        try {
          dst.put(folio.memory().position(offset).limit(offset + n));
        } finally {
          folio.unlock();
        }
        pos += n;
        total += n;
      } finally {
        engine.cache().put(folio);
      }
      ra.setPrevPos(pos - 1);
    }
    return total;
  }

  /** Folios gathered into one write by {@link #transferTo}: 32 pages, 128 KiB. */
  private static final int SPLICE_BATCH = 32;

  /**
   * Writes file data straight from page-cache memory to {@code target}, a batch of folios per
   * (gathering) write: the kernel's {@code filemap_splice_read} feeding {@code sendfile}. The data
   * is copied once, by the target; a read into a buffer copies it twice. Each batch's folios are
   * locked, in index order, while they are written, so no half-written page goes out.
   */
  @Override
  public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count: " + pos + ", " + count);
    }
    long isize = mapping.host().size();
    if (pos >= isize || count == 0) {
      return 0;
    }
    long end = count >= isize - pos ? isize : pos + count; // no overflow for a count of MAX_VALUE
    long lastIndex = (end - 1) >> Folio.PAGE_SHIFT;
    Folio[] batch = new Folio[SPLICE_BATCH];
    ByteBuffer[] segments = new ByteBuffer[SPLICE_BATCH];
    long done = 0;
    while (pos < end) {
      int n = 0;
      long batchBytes = 0;
      try {
        while (n < SPLICE_BATCH && pos + batchBytes < end) {
          long at = pos + batchBytes;
          Folio folio = getReadFolio(at >> Folio.PAGE_SHIFT, lastIndex);
          folio.lock();
          batch[n] = folio;
          int offset = (int) (at & (Folio.PAGE_SIZE - 1));
          int len = (int) Math.min(end - at, Folio.PAGE_SIZE - offset);
          segments[n++] = folio.rawMemory().slice(offset, len);
          batchBytes += len;
        }
        writeFully(target, segments, n);
      } finally {
        for (int i = 0; i < n; i++) {
          batch[i].unlock();
          engine.cache().put(batch[i]);
          batch[i] = null;
          segments[i] = null;
        }
      }
      pos += batchBytes;
      done += batchBytes;
      ra.setPrevPos(pos - 1);
    }
    return done;
  }

  private static void writeFully(WritableByteChannel target, ByteBuffer[] segments, int n)
      throws IOException {
    if (target instanceof GatheringByteChannel g) {
      int first = 0;
      while (first < n) {
        g.write(segments, first, n - first);
        while (first < n && !segments[first].hasRemaining()) {
          first++;
        }
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      while (segments[i].hasRemaining()) {
        target.write(segments[i]);
      }
    }
  }

  /** A pinned, uptodate folio for {@code index}, reading it (and ahead of it) as needed. */
  private Folio getReadFolio(long index, long lastIndex) throws IOException {
    PageCache cache = engine.cache();
    while (true) {
      Folio folio = mapping.getFolio(index);
      if (folio == null) {
        mapping.poolCounters().countMiss();
        engine.readahead().syncReadahead(mapping, ra, index, lastIndex - index + 1);
        folio = mapping.getFolio(index);
        if (folio == null) {
          // Readahead could not add it (raced with eviction): read this one page.
          folio = mapping.grabFolioLocked(index);
          if (folio.isUptodate()) {
            folio.unlock();
            return folio;
          }
          return readFolioSync(folio);
        }
      } else {
        mapping.poolCounters().countHit();
      }
      if (folio.test(FolioFlag.READAHEAD)) {
        engine.readahead().asyncReadahead(mapping, ra, folio, lastIndex - index + 1);
      }
      if (folio.isUptodate()) {
        return folio;
      }
      if (!folio.tryLock()) {
        cache.blockLayer().flushPlug();
        folio.lock(); // waits for a read in flight
      }
      if (!mapping.owns(folio)) {
        folio.unlock();
        cache.put(folio);
        continue;
      }
      if (folio.isUptodate()) {
        folio.unlock();
        return folio;
      }
      return readFolioSync(folio);
    }
  }

  /** Reads a locked folio with read_folio and waits: the kernel's {@code filemap_read_folio}. */
  private Folio readFolioSync(Folio folio) throws IOException {
    folio.clear(FolioFlag.ERROR);
    mapping.ops().readFolio(folio);
    engine.blockLayer().flushPlug();
    folio.waitUntilClear(FolioFlag.LOCKED);
    if (!folio.isUptodate()) {
      engine.cache().put(folio);
      throw new BlockIOException(file.name(), BioOp.READ, folio.pos() >> 9, BlockStatus.IOERR);
    }
    return folio;
  }

  /**
   * Writes {@code src} at {@code pos} into the page cache: the kernel's {@code
   * generic_perform_write}. Partial pages are read first; the file grows as needed. The data is
   * durable only after {@link #fsync()}.
   */
  @Override
  public int write(long pos, ByteBuffer src) throws IOException {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    int total = 0;
    file.writeLock.lock();
    try {
      while (src.hasRemaining()) {
        long index = pos >> Folio.PAGE_SHIFT;
        int offset = (int) (pos & (Folio.PAGE_SIZE - 1));
        int n = Math.min(Folio.PAGE_SIZE - offset, src.remaining());
        Folio folio = writeBegin(index, n == Folio.PAGE_SIZE);
        try {
          try {
            mapping.ops().writeBegin(folio, offset, offset + n);
          } catch (IOException e) {
            if (total > 0) {
              return total; // a short write; the caller learns of the error on its next write
            }
            throw e;
          }
          ByteBuffer chunk = src.duplicate();
          chunk.limit(chunk.position() + n);
          folio.memory().position(offset).put(chunk);
          src.position(src.position() + n);
          writeEnd(folio, offset, n);
          if (pos + n > mapping.host().size()) {
            mapping.host().setSize(pos + n);
          }
        } finally {
          folio.unlock();
          engine.cache().put(folio);
        }
        pos += n;
        total += n;
        engine.cache().balanceDirtyPages(mapping);
      }
    } finally {
      file.writeLock.unlock();
    }
    return total;
  }

  /** A locked, pinned folio ready to take new data; read first unless wholly overwritten. */
  private Folio writeBegin(long index, boolean wholePage) throws IOException {
    Folio folio = mapping.grabFolioLocked(index);
    // Stable pages: never change memory the device may be reading.
    if (folio.isWriteback()) {
      engine.blockLayer().flushPlug();
      folio.waitUntilClear(FolioFlag.WRITEBACK);
    }
    if (folio.isUptodate() || wholePage) {
      return folio;
    }
    if (folio.pos() >= mapping.host().size()) {
      folio.zero(0, Folio.PAGE_SIZE);
      folio.markUptodate();
      return folio;
    }
    Folio read = readFolioSync(folio);
    read.lock();
    if (!mapping.owns(read) || !read.isUptodate()) {
      read.unlock();
      engine.cache().put(read);
      return writeBegin(index, wholePage);
    }
    return read;
  }

  /**
   * Marks the written range dirty: the kernel's {@code block_write_end}/{@code
   * filemap_dirty_folio}.
   */
  private void writeEnd(Folio folio, int offset, int n) {
    BufferHead head = folio.buffers();
    if (n == Folio.PAGE_SIZE) {
      folio.markUptodate();
    }
    if (head != null) {
      BufferHead bh = head;
      do {
        int start = bh.offsetInFolio();
        int stop = start + bh.size();
        if (stop > offset && start < offset + n) {
          bh.set(BhState.UPTODATE);
          bh.set(BhState.DIRTY);
        } else if (folio.isUptodate()) {
          bh.set(BhState.UPTODATE);
        }
        bh = bh.thisPage();
      } while (bh != head);
    }
    mapping.dirtyFolio(folio);
  }

  /**
   * Writes every dirty page of the file and waits, then reports a writeback error that happened
   * since this file was opened or last synced: the kernel's {@code file_write_and_wait_range} with
   * {@code file_check_and_advance_wb_err} (or, in the 2.6 revision, {@code AS_EIO} once overall).
   *
   * @throws WritebackException if a write failed
   */
  @Override
  public void fsync() throws WritebackException {
    int err = mapping.ops().writepages(mapping, WritebackControl.syncAll());
    WriteCachePages.waitRange(mapping, engine.blockLayer(), 0, Long.MAX_VALUE);
    engine.cache().markMappingClean(mapping);
    int late;
    if (engine.revision().asErrorFlags()) {
      late = mapping.checkAndClearAsErrors();
    } else {
      late = mapping.wbErr().checkAndAdvance(wbErrSince);
    }
    if (err == 0) {
      err = late;
    }
    if (err != 0) {
      throw new WritebackException(file.name(), err);
    }
  }

  /**
   * Sets the file size, dropping cached pages beyond it and zeroing the tail of the last one: the
   * page cache half of the kernel's {@code truncate_setsize}. Freeing blocks is the filesystem's
   * job.
   */
  public void truncate(long size) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    file.writeLock.lock();
    try {
      mapping.host().setSize(size);
      long firstGone = (size + Folio.PAGE_SIZE - 1) >> Folio.PAGE_SHIFT;
      mapping.truncatePages(firstGone);
      int tail = (int) (size & (Folio.PAGE_SIZE - 1));
      if (tail != 0) {
        Folio folio = mapping.getFolio(size >> Folio.PAGE_SHIFT);
        if (folio != null) {
          engine.blockLayer().flushPlug();
          folio.lock();
          folio.waitUntilClear(FolioFlag.WRITEBACK);
          folio.zero(tail, Folio.PAGE_SIZE);
          // Buffers wholly past the new end map blocks the filesystem is about to free.
          org.mpage.core.buffer.BufferLayer.discardBuffersFrom(folio, tail);
          folio.unlock();
          engine.cache().put(folio);
        }
      }
    } finally {
      file.writeLock.unlock();
    }
  }

  @Override
  public void close() {
    // Nothing to release: the description holds no pages between calls.
  }
}
