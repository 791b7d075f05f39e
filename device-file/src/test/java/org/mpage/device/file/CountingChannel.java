package org.mpage.device.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/** A FileChannel that logs each data-moving call it passes to the real one. */
final class CountingChannel extends FileChannel {
  private final FileChannel inner;
  private final List<String> calls;

  CountingChannel(FileChannel inner, List<String> calls) {
    this.inner = inner;
    this.calls = calls;
  }

  private void log(String call) {
    synchronized (calls) {
      calls.add(call);
    }
  }

  static List<String> snapshot(List<String> calls) {
    synchronized (calls) {
      return new ArrayList<>(calls);
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    log("read");
    return inner.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    log("readv:" + length);
    return inner.read(dsts, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    log("write");
    return inner.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    log("writev:" + length);
    return inner.write(srcs, offset, length);
  }

  @Override
  public long position() throws IOException {
    return inner.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    inner.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return inner.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    inner.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    log("force");
    inner.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    log("transferTo");
    return inner.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    log("transferFrom");
    return inner.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    log("pread");
    return inner.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    log("pwrite");
    return inner.write(src, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return inner.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return inner.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return inner.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    inner.close();
  }
}
