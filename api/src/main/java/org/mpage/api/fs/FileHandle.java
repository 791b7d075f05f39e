package org.mpage.api.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An open regular file. One thread at a time; open another handle for another thread. Closing it
 * twice is harmless.
 */
@ProviderType
public interface FileHandle extends AutoCloseable {
  /** Reads at {@code pos} into {@code dst}; the count, or -1 at or past EOF. */
  int read(long pos, ByteBuffer dst) throws IOException;

  /** Writes {@code src} at {@code pos}, growing the file as needed; the count. */
  int write(long pos, ByteBuffer src) throws IOException;

  /**
   * Sets the file's size, like {@code ftruncate}: shrinking frees blocks, growing leaves a hole.
   *
   * @throws UnsupportedOperationException if this filesystem cannot
   */
  default void ftruncate(long size) throws IOException {
    throw new UnsupportedOperationException("this filesystem cannot truncate an open file");
  }

  /**
   * Writes up to {@code count} bytes of the file from {@code pos} to {@code target}, stopping at
   * EOF: the kernel's {@code splice_read}/{@code sendfile} from the page cache. Returns the count
   * written. The default reads through {@link #read} into a buffer; the engine's handle writes
   * straight from page-cache memory, without copying it first.
   */
  default long transferTo(long pos, long count, java.nio.channels.WritableByteChannel target)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(count, 1), 1 << 20));
    long done = 0;
    while (done < count) {
      buf.clear().limit((int) Math.min(buf.capacity(), count - done));
      int n = read(pos + done, buf);
      if (n <= 0) {
        break;
      }
      buf.flip();
      while (buf.hasRemaining()) {
        target.write(buf);
      }
      done += n;
    }
    return done;
  }

  /** Makes everything written durable; reports a writeback error once per handle. */
  void fsync() throws IOException;

  /** Current size in bytes. */
  long size();

  /**
   * {@code SEEK_DATA}: the first offset at or after {@code pos} that may hold data, or {@link
   * #size()} when only a hole follows. A filesystem that does not know its holes answers {@code
   * pos}: everything may be data.
   */
  default long nextData(long pos) throws IOException {
    return Math.min(Math.max(pos, 0), size());
  }

  /**
   * {@code SEEK_HOLE}: the first offset at or after {@code pos} that lies in a hole, or {@link
   * #size()} (the implicit hole at the end) when there is none before it.
   */
  default long nextHole(long pos) throws IOException {
    return size();
  }

  @Override
  void close() throws IOException;
}
