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

  @Override
  void close() throws IOException;
}
