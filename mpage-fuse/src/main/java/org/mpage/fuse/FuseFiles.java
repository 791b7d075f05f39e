package org.mpage.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import org.mpage.api.fs.FileHandle;

/**
 * The open files of a FUSE mount, by the number FUSE keeps in {@code fi->fh}, and the calls on
 * them. A {@link FileHandle} is one thread at a time, so every use of an open file holds that
 * file's lock. Data goes through one buffer per thread, so a read or write allocates nothing once
 * the buffer has grown to the request size (128 KiB at most).
 */
final class FuseFiles {
  private final Map<Long, OpenFile> files = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);

  /** Where a read or write stages its bytes between native memory and the file handle. */
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[0]);

  /** One open file: its handle, used by one thread at a time under this object's lock. */
  private static final class OpenFile {
    final FileHandle handle;

    OpenFile(FileHandle handle) {
      this.handle = handle;
    }
  }

  /** Keeps {@code h} open under a new number, for {@code fi->fh}. */
  long register(FileHandle h) {
    long id = nextHandle.getAndIncrement();
    files.put(id, new OpenFile(h));
    return id;
  }

  private OpenFile file(String path, long fh) throws IOException {
    OpenFile f = files.get(fh);
    if (f == null) {
      throw new IOException(path + ": no open file " + fh);
    }
    return f;
  }

  /** This thread's staging buffer, at least {@code size} bytes. */
  private static byte[] buffer(long size) {
    byte[] b = BUFFER.get();
    if (b.length < size) {
      b = new byte[(int) size];
      BUFFER.set(b);
    }
    return b;
  }

  int read(String path, long fh, Pointer buf, long size, long offset) throws IOException {
    OpenFile f = file(path, fh);
    byte[] mem = buffer(size);
    ByteBuffer dst = ByteBuffer.wrap(mem, 0, (int) size);
    synchronized (f) {
      // Without direct_io the kernel takes a short read for end of file: fill it all.
      while (dst.hasRemaining()) {
        if (f.handle.read(offset + dst.position(), dst) <= 0) {
          break;
        }
      }
    }
    buf.put(0, mem, 0, dst.position());
    return dst.position();
  }

  int write(String path, long fh, Pointer buf, long size, long offset) throws IOException {
    OpenFile f = file(path, fh);
    byte[] mem = buffer(size);
    buf.get(0, mem, 0, (int) size);
    ByteBuffer src = ByteBuffer.wrap(mem, 0, (int) size);
    synchronized (f) {
      while (src.hasRemaining()) {
        f.handle.write(offset + src.position(), src);
      }
    }
    return (int) size;
  }

  void ftruncate(String path, long fh, long size) throws IOException {
    OpenFile f = file(path, fh);
    synchronized (f) {
      f.handle.ftruncate(size);
    }
  }

  void fsync(String path, long fh) throws IOException {
    OpenFile f = file(path, fh);
    synchronized (f) {
      f.handle.fsync();
    }
  }

  /** The last close of a number: its handle is closed. */
  void release(long fh) throws IOException {
    OpenFile f = files.remove(fh);
    if (f != null) {
      synchronized (f) {
        f.handle.close();
      }
    }
  }

  /** The numbers still open. */
  List<Long> open() {
    return new ArrayList<>(files.keySet());
  }
}
