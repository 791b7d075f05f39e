package org.mpage.device.file;

import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Another writer (this process or another) holds the image file. The path is the exception's file,
 * the reason says who holds it, so that a message can name the image once.
 */
public final class ImageInUseException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  public ImageInUseException(Path path, boolean readOnly) {
    super(
        path.toString(),
        null,
        "image in use: "
            + (readOnly
                ? "another process has it open for writing"
                : "another process or device has it open"));
  }
}
