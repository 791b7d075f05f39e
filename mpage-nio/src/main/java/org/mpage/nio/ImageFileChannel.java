package org.mpage.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.mpage.api.fs.FileHandle;

/**
 * An open file of an image as a {@link FileChannel}: reads, writes and transfers go through the
 * page cache of the engine ({@link FileHandle}); nothing is cached here. The api's handle serves
 * one thread at a time, so every call holds the channel's lock, which also keeps the position
 * consistent, as the JDK's channels do.
 */
final class ImageFileChannel extends FileChannel {
  private final ImageFileSystem fs;
  private final FileHandle handle;
  private final boolean readable;
  private final boolean writable;
  private final boolean append;
  private final boolean sync;
  private final Runnable onClose;
  private long position;

  ImageFileChannel(
      ImageFileSystem fs,
      FileHandle handle,
      boolean readable,
      boolean writable,
      boolean append,
      boolean sync,
      Runnable onClose) {
    this.fs = fs;
    this.handle = handle;
    this.readable = readable;
    this.writable = writable;
    this.append = append;
    this.sync = sync;
    this.onClose = onClose;
  }

  private void checkOpen() throws IOException {
    if (!isOpen()) {
      throw new java.nio.channels.ClosedChannelException();
    }
    fs.ensureOpen();
  }

  private void checkReadable() throws IOException {
    checkOpen();
    if (!readable) {
      throw new NonReadableChannelException();
    }
  }

  private void checkWritable() throws IOException {
    checkOpen();
    if (!writable) {
      throw new NonWritableChannelException();
    }
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    checkReadable();
    int n = readAt(dst, position);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  private int readAt(ByteBuffer dst, long pos) throws IOException {
    if (dst.isReadOnly()) {
      throw new IllegalArgumentException("read-only buffer");
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    return fs.call(api -> handle.read(pos, dst));
  }

  @Override
  public synchronized long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    checkReadable();
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      if (!dsts[i].hasRemaining()) {
        continue;
      }
      int n = readAt(dsts[i], position);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      position += n;
      total += n;
      if (dsts[i].hasRemaining()) {
        break;
      }
    }
    return total;
  }

  @Override
  public synchronized int write(ByteBuffer src) throws IOException {
    checkWritable();
    if (append) {
      position = handle.size();
    }
    int n = writeAt(src, position);
    position += n;
    return n;
  }

  private int writeAt(ByteBuffer src, long pos) throws IOException {
    int n =
        fs.change(
            api -> {
              int done = 0;
              while (src.hasRemaining()) {
                done += handle.write(pos + done, src);
              }
              return done;
            });
    if (sync) {
      fs.call(
          api -> {
            handle.fsync();
            return null;
          });
    }
    return n;
  }

  @Override
  public synchronized long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      total += write(srcs[i]);
    }
    return total;
  }

  @Override
  public synchronized long position() throws IOException {
    checkOpen();
    return append ? handle.size() : position; // the JDK's appending channels report the size
  }

  @Override
  public synchronized FileChannel position(long newPosition) throws IOException {
    checkOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public synchronized long size() throws IOException {
    checkOpen();
    return handle.size();
  }

  @Override
  public synchronized FileChannel truncate(long size) throws IOException {
    checkWritable();
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    if (size < handle.size()) {
      fs.change(
          api -> {
            handle.ftruncate(size);
            return null;
          });
    }
    if (position > size) {
      position = size;
    }
    return this;
  }

  @Override
  public synchronized void force(boolean metaData) throws IOException {
    checkOpen();
    fs.call(
        api -> {
          handle.fsync();
          return null;
        });
  }

  /**
   * Straight from the page cache into {@code target} (the kernel's splice), except into a channel
   * of an image: the splice holds a page's lock while the target writes, and that target may need
   * the same page (the same file) or hold one the splice needs, so it gets the bytes through a
   * buffer, without this channel's lock held while it writes (as the JDK's, crossed transfers
   * between two channels must not deadlock). An exception of the target's is thrown as it is.
   */
  @Override
  public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
    if (target instanceof ImageFileChannel) {
      return transferThroughBuffer(pos, count, target);
    }
    Target t = new Target(target);
    synchronized (this) {
      checkReadable();
      long size = handle.size();
      if (pos >= size) {
        return 0;
      }
      long n = Math.min(count, size - pos);
      try {
        return fs.call(api -> handle.transferTo(pos, n, t));
      } catch (IOException | RuntimeException e) {
        if (t.failure instanceof RuntimeException r) {
          throw r;
        }
        if (t.failure instanceof IOException io) {
          throw io;
        }
        throw e;
      }
    }
  }

  private long transferThroughBuffer(long pos, long count, WritableByteChannel target)
      throws IOException {
    long end;
    synchronized (this) {
      checkReadable();
      end = pos + Math.min(count, Math.max(0, handle.size() - pos));
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(end - pos, 1), 1 << 16));
    long at = pos;
    while (at < end) {
      buf.clear().limit((int) Math.min(buf.capacity(), end - at));
      int n = read(buf, at);
      if (n <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        target.write(buf);
      }
      at += n;
    }
    return at - pos;
  }

  /** The target of a splice, remembering what it threw so that it is not taken for corruption. */
  private static final class Target implements WritableByteChannel {
    private final WritableByteChannel target;
    private Exception failure;

    Target(WritableByteChannel target) {
      this.target = target;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      try {
        return target.write(src);
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public boolean isOpen() {
      return target.isOpen();
    }

    @Override
    public void close() throws IOException {
      target.close();
    }
  }

  /** Reads {@code src} outside this channel's lock: a source that is a channel of an image too. */
  @Override
  public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
    if (pos < 0 || count < 0) {
      throw new IllegalArgumentException("negative position or count");
    }
    synchronized (this) {
      checkWritable();
      if (pos > handle.size()) {
        return 0; // as FileChannel: nothing is transferred past the end
      }
    }
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(count, 1), 1 << 20));
    long done = 0;
    while (done < count) {
      buf.clear().limit((int) Math.min(buf.capacity(), count - done));
      int n = src.read(buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      done += write(buf, pos + done);
    }
    return done;
  }

  @Override
  public synchronized int read(ByteBuffer dst, long pos) throws IOException {
    checkReadable();
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    return readAt(dst, pos);
  }

  @Override
  public synchronized int write(ByteBuffer src, long pos) throws IOException {
    checkWritable();
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    return writeAt(src, pos);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long pos, long size) {
    throw new UnsupportedOperationException("images cannot be memory-mapped");
  }

  @Override
  public FileLock lock(long pos, long size, boolean shared) {
    throw new UnsupportedOperationException("files in images cannot be locked");
  }

  @Override
  public FileLock tryLock(long pos, long size, boolean shared) {
    throw new UnsupportedOperationException("files in images cannot be locked");
  }

  @Override
  protected void implCloseChannel() throws IOException {
    try {
      handle.close();
    } finally {
      fs.untrack(this);
      onClose.run();
    }
  }
}
