// fs/ext4/inline.c: ext4_readpage_inline, as a read-only open file
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.ReadOnlyFileSystemException;
import org.mpage.api.fs.FileHandle;

/**
 * The data of an open inline-data file: a few bytes read from its inode when opened, served from
 * memory. The kernel copies them into the file's first page; here they need no page cache at all.
 * Writing stays refused (inline data is an ext4 feature, mounted read-only only).
 */
final class Ext4InlineFile implements FileHandle {
  private final String path;
  private final byte[] data;

  Ext4InlineFile(String path, byte[] data) {
    this.path = path;
    this.data = data;
  }

  @Override
  public int read(long pos, ByteBuffer dst) {
    if (pos < 0) {
      throw new IllegalArgumentException("negative position " + pos);
    }
    if (pos >= data.length) {
      return -1;
    }
    int n = (int) Math.min(dst.remaining(), data.length - pos);
    dst.put(data, (int) pos, n);
    return n;
  }

  @Override
  public int write(long pos, ByteBuffer src) throws IOException {
    throw new IOException(path + ": read-only file system", new ReadOnlyFileSystemException());
  }

  @Override
  public void fsync() {
    // nothing is ever dirty
  }

  @Override
  public long size() {
    return data.length;
  }

  @Override
  public void close() {
    // nothing held
  }
}
