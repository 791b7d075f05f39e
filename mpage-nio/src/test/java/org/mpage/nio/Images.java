package org.mpage.nio;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mpage.fs.ext2.E2fs;

/** Test images: made by mke2fs, checked by e2fsck, opened through the JDK's lookup. */
final class Images {
  private Images() {}

  static Path mkfs(Path image, String size, Path from) throws IOException, InterruptedException {
    return E2fs.mkfs(image, size, from, "-b", "4096");
  }

  /** Opened as a user would: {@code FileSystems.newFileSystem(path)} finds the provider. */
  static FileSystem open(Path image) throws IOException {
    return FileSystems.newFileSystem(image, Map.of());
  }

  /** {@code e2fsck -fn}: returns its output, fails when it finds anything. */
  static String fsck(Path image) throws IOException, InterruptedException {
    return E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
  }
}
