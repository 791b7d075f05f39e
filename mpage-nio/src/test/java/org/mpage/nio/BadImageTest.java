package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corrupt image and a full one through the provider: one clear exception, nothing lost. */
class BadImageTest {
  @TempDir Path work;

  @Test
  void aCorruptSuperblockIsAnIoExceptionNamingTheProblem() throws Exception {
    Path image = Images.mkfs(work.resolve("c.img"), "4M", null);
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0}), 1024 + 56); // the magic number
    }
    IOException e =
        assertThrows(
            IOException.class,
            () -> FileSystems.newFileSystem(URI.create("ext2:" + image.toUri()), Map.of()));
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), String.valueOf(e));
  }

  @Test
  void aFullImageRefusesTheWriteAndKeepsWhatWasSynced() throws Exception {
    Path image = Images.mkfs(work.resolve("f.img"), "2M", null);
    byte[] kept = new byte[100_000];
    Arrays.fill(kept, (byte) 7);
    try (FileSystem fs = Images.open(image)) {
      try (FileChannel ch =
          FileChannel.open(
              fs.getPath("/kept"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(kept));
        ch.force(true);
      }
      byte[] big = new byte[8 << 20];
      assertThrows(IOException.class, () -> Files.write(fs.getPath("/big"), big));
    }
    Images.fsck(image);
    try (FileSystem fs = Images.open(image)) {
      assertArrayEquals(kept, Files.readAllBytes(fs.getPath("/kept")));
    }
  }
}
