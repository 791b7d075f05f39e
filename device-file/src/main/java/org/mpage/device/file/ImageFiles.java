package org.mpage.device.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Helpers for image files. */
public final class ImageFiles {
  private ImageFiles() {}

  /**
   * Creates a sparse image of {@code sizeBytes} (a multiple of 512): no data blocks are allocated
   * on the host until written.
   *
   * @throws FileAlreadyExistsException if the file exists
   */
  public static Path createSparse(Path path, long sizeBytes) throws IOException {
    if (sizeBytes <= 0 || sizeBytes % 512 != 0) {
      throw new IllegalArgumentException(
          "image size must be a positive multiple of 512 bytes: " + sizeBytes);
    }
    try (FileChannel ch =
        FileChannel.open(
            path,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.SPARSE)) {
      ch.truncate(0);
      // Setting the size by writing its last byte leaves the rest as a hole.
      ch.write(java.nio.ByteBuffer.wrap(new byte[1]), sizeBytes - 1);
    }
    return path;
  }
}
