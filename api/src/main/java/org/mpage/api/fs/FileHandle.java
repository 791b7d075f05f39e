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
