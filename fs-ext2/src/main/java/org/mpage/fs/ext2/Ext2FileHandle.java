// fs/ext2/file.c: ext2_file_operations over the engine's page cache
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.ReadOnlyFileSystemException;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.FileHandle;
import org.mpage.fs.ext2.disk.Ext2Inode;

/**
 * An open ext2 file: the page cache's handle, with read errors caused by a corrupt block map
 * reported as the corruption they are rather than as a bare I/O error.
 */
final class Ext2FileHandle implements FileHandle {
  private final Ext2SbInfo fs;
  private final Ext2Inodes inodes;
  private final String path;
  private final Ext2Inode inode;
  private final FileHandle data;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  Ext2FileHandle(Ext2SbInfo fs, Ext2Inodes inodes, String path, Ext2Inode inode, FileHandle data) {
    this.fs = fs;
    this.inodes = inodes;
    this.path = path;
    this.inode = inode;
    this.data = data;
  }

  @Override
  public int read(long pos, ByteBuffer dst) throws IOException {
    return (int) readGuarded(() -> data.read(pos, dst));
  }

  @Override
  public long transferTo(long pos, long count, java.nio.channels.WritableByteChannel target)
      throws IOException {
    return readGuarded(() -> data.transferTo(pos, count, target));
  }

  /**
   * The calls under way on this handle share it and its close holds it alone, as the kernel's
   * fdget/fdput keep a file open across a system call: a close from another thread (a channel
   * closed by its filesystem's close) waits for a write in progress, or the last close of an
   * unlinked file would free its blocks while the write went on allocating more to it.
   */
  private final java.util.concurrent.locks.ReentrantReadWriteLock calls =
      new java.util.concurrent.locks.ReentrantReadWriteLock();

  /** Runs a call of this handle inside the mount's unmount gate, the handle held open. */
  private long gated(ReadCall call) throws IOException {
    UmountGate gate = fs.umountGate();
    gate.enter();
    try {
      calls.readLock().lock();
      try {
        if (closed.get()) {
          throw new java.nio.channels.ClosedChannelException();
        }
        return call.call();
      } finally {
        calls.readLock().unlock();
      }
    } finally {
      gate.leave();
    }
  }

  @FunctionalInterface
  private interface ReadCall {
    long call() throws IOException;
  }

  /**
   * Runs a read; an I/O error caused by a corrupt block map is reported as that corruption, naming
   * the file.
   */
  private long readGuarded(ReadCall read) throws IOException {
    try {
      return gated(read);
    } catch (CorruptFilesystemException e) {
      throw e;
    } catch (IOException e) {
      IOException unmapped = inodes.mappingUnavailable(inode);
      if (unmapped != null) {
        IOException named = new IOException(path + ": " + unmapped.getMessage(), e);
        throw named;
      }
      CorruptFilesystemException c = fs.corruptionOf(inode.ino);
      if (c != null) {
        CorruptFilesystemException named =
            new CorruptFilesystemException(path + ": " + c.problem(), c.inode(), c.block());
        named.initCause(e);
        throw named;
      }
      throw e;
    } catch (RuntimeException e) {
      CorruptFilesystemException c =
          new CorruptFilesystemException(path + ": unexpected error: " + e, inode.ino, -1);
      c.initCause(e);
      throw c;
    }
  }

  // do_sys_ftruncate: the open file's inode, whatever its name is now
  @Override
  public void ftruncate(long size) throws IOException {
    gated(
        () -> {
          truncateTo(size);
          return 0;
        });
  }

  private void truncateTo(long size) throws IOException {
    if (fs.readOnly()) {
      throw new FileSystemException(path, null, "read-only file system");
    }
    if (size < 0) {
      throw new FileSystemException(path, null, "negative size");
    }
    inodes.truncate(path, inode, size);
  }

  @Override
  public int write(long pos, ByteBuffer src) throws IOException {
    return (int) gated(() -> writeAt(pos, src));
  }

  private int writeAt(long pos, ByteBuffer src) throws IOException {
    if (fs.readOnly()) {
      throw new IOException(path + ": read-only file system", new ReadOnlyFileSystemException());
    }
    // EFBIG at or past the largest file size; a write that crosses it stops there, as the
    // kernel's generic_write_checks() shortens it, and the next one fails.
    long room = fs.superblock().maxBytes - pos;
    if (room <= 0) {
      throw new FileSystemException(path, null, "file too large");
    }
    int wanted = (int) Math.min(src.remaining(), room);
    inodes.allowSize(path, pos + wanted);
    int limit = src.limit();
    int n;
    try {
      src.limit(src.position() + wanted);
      n = data.write(pos, src);
    } catch (IOException e) {
      inodes.writeFailed(path, inode);
      throw e;
    } finally {
      src.limit(limit);
    }
    if (n < wanted) {
      inodes.writeFailed(path, inode);
    }
    inode.mtime = fs.now();
    inode.ctime = inode.mtime;
    fs.inodeChanged(inode);
    return n;
  }

  // ext2_fsync
  /** Data first (allocating blocks as it goes), then the inode and metadata, then a flush. */
  @Override
  public void fsync() throws IOException {
    gated(
        () -> {
          syncFile();
          return 0;
        });
  }

  private void syncFile() throws IOException {
    IOException dataError = null;
    try {
      data.fsync();
    } catch (IOException e) {
      dataError = e;
    }
    fs.syncMetadata();
    if (dataError != null) {
      throw dataError;
    }
  }

  @Override
  public long size() {
    return inode.size();
  }

  @Override
  public long nextData(long pos) throws IOException {
    return gated(() -> seek(pos, true));
  }

  @Override
  public long nextHole(long pos) throws IOException {
    return gated(() -> seek(pos, false));
  }

  /**
   * SEEK_DATA and SEEK_HOLE from the block map. On a writable mount the file's dirty pages are
   * written back first: ext2 allocates their blocks only then, and a page not yet mapped must not
   * look like a hole.
   */
  private long seek(long pos, boolean wantData) throws IOException {
    long size = inode.size();
    if (pos >= size) {
      return size;
    }
    long start = Math.max(pos, 0);
    if (inode.hasInlineData()) {
      return wantData ? start : size; // all data, no blocks
    }
    if (!fs.readOnly()) {
      inodes.writeBackData(path, inode);
    }
    int bits = inode.blockBits();
    long block = inodes.seekBlock(inode, start >>> bits, wantData);
    if (block < 0) {
      return size;
    }
    return Math.min(size, Math.max(start, block << bits));
  }

  @Override
  public void close() throws IOException {
    if (closed.getAndSet(true)) {
      return;
    }
    UmountGate gate = fs.umountGate();
    if (!gate.tryEnter()) {
      return; // unmounted: its last sync wrote this file, and nothing of the mount is left to free
    }
    try {
      calls.writeLock().lock(); // after the calls under way on this handle
      try {
        data.close();
      } finally {
        try {
          inodes.closed(inode); // the last close of a deleted file frees it
        } finally {
          calls.writeLock().unlock();
        }
      }
    } finally {
      gate.leave();
    }
  }
}
