package org.mpage.fileops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The host side of a copy out of the image, as the target of {@code FileHandle.transferTo}: a
 * failure to write is raised as {@link Failed}, so that the caller can tell it from a failure to
 * read the image and name the right path. Writes at a file position when given one (the file's own
 * position is left alone), gathering several folios per system call.
 */
final class HostChannel implements GatheringByteChannel {
  /** The host refused a write; the cause is what it said. */
  static final class Failed extends IOException {
    private static final long serialVersionUID = 1L;

    Failed(IOException cause) {
      super(cause.getMessage(), cause);
    }

    IOException reason() {
      return (IOException) getCause();
    }
  }

  private final WritableByteChannel out;
  private final FileChannel file;
  private long position;

  /** Appends to {@code out}. */
  HostChannel(WritableByteChannel out) {
    this.out = out;
    this.file = null;
  }

  /** Writes into {@code file} from {@code position} on. */
  HostChannel(FileChannel file, long position) {
    this.out = file;
    this.file = file;
    this.position = position;
  }

  void seek(long position) {
    this.position = position;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    try {
      if (file != null) {
        int n = file.write(src, position);
        position += n;
        return n;
      }
      return out.write(src);
    } catch (IOException e) {
      throw new Failed(e);
    }
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    try {
      if (file != null) {
        // FileChannel has no positioned gathering write: set its position first. Only this copy
        // uses the channel.
        file.position(position);
        long n = file.write(srcs, offset, length);
        position += n;
        return n;
      }
      if (out instanceof GatheringByteChannel g) {
        return g.write(srcs, offset, length);
      }
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        while (srcs[i].hasRemaining()) {
          n += out.write(srcs[i]);
        }
      }
      return n;
    } catch (IOException e) {
      throw new Failed(e);
    }
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return write(srcs, 0, srcs.length);
  }

  @Override
  public boolean isOpen() {
    return out.isOpen();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
