package org.mpage.device.file;

import java.io.IOException;
import java.nio.file.Path;

/** Another writer (this process or another) holds the image file. */
public final class ImageInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  public ImageInUseException(Path path, boolean readOnly) {
    super(
        path
            + ": image in use: "
            + (readOnly
                ? "another process has it open for writing"
                : "another process or device has it open"));
  }
}
