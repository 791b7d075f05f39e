package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.CorruptFilesystemException;

/** Hand-made corruptions: each ends in a clear error within a second, naming what is wrong. */
class Ext2CorruptionTest {
  @TempDir Path work;
  Path image;

  @BeforeEach
  void makeImage() throws Exception {
    Path src = Files.createDirectory(work.resolve("src"));
    Files.write(src.resolve("file"), new byte[20_000]);
    Files.createDirectory(src.resolve("dir"));
    Files.write(src.resolve("dir/x"), "x".getBytes(StandardCharsets.US_ASCII));
    image = E2fs.mkfs(work.resolve("c.img"), "2M", src, "-b", "1024");
    E2fs.debugfs(image, true, "symlink /loop-a /loop-b");
    E2fs.debugfs(image, true, "symlink /loop-b /loop-a");
  }

  private void poke(long offset, ByteBuffer value) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.write(value, offset);
    }
  }

  private void poke32(long offset, long value) throws IOException {
    poke(offset, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) value));
  }

  private void poke16(long offset, int value) throws IOException {
    poke(offset, ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) value));
  }

  private static void quickly(Executable e) {
    assertTimeoutPreemptively(Duration.ofSeconds(1), e);
  }

  private static void mentions(Throwable t, String... words) {
    for (String w : words) {
      assertTrue(t.getMessage().contains(w), "'" + t.getMessage() + "' should mention " + w);
    }
  }

  @Test
  void badMagic() throws Exception {
    poke16(1024 + 56, 0x1234);
    quickly(
        () ->
            mentions(
                assertThrows(CorruptFilesystemException.class, () -> Mounted.image(image)),
                "magic"));
  }

  @Test
  void zeroCounts() throws Exception {
    poke32(1024, 0);
    quickly(
        () ->
            mentions(
                assertThrows(CorruptFilesystemException.class, () -> Mounted.image(image)),
                "zero inodes"));
  }

  @Test
  void truncatedImage() throws Exception {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    quickly(
        () ->
            mentions(
                assertThrows(CorruptFilesystemException.class, () -> Mounted.image(image)),
                "truncated"));
  }

  @Test
  void blockBeyondTheFilesystem() throws Exception {
    long[] at = E2fs.imap(image, "/file");
    poke32(at[0] * 1024 + at[1] + 40, 5_000_000);
    quickly(
        () -> {
          try (Mounted m = Mounted.image(image)) {
            CorruptFilesystemException e =
                assertThrows(
                    CorruptFilesystemException.class, () -> Ext2ReadTest.readAll(m.fs, "/file"));
            mentions(e, "outside the filesystem", "(inode ", "block 5000000", "/file");
          }
        });
  }

  @Test
  void recLenZero() throws Exception {
    long dirBlock = E2fs.bmap(image, "/dir", 0);
    poke16(dirBlock * 1024 + 4, 0);
    quickly(
        () -> {
          try (Mounted m = Mounted.image(image)) {
            mentions(
                assertThrows(CorruptFilesystemException.class, () -> m.fs.list("/dir")),
                "rec_len 0");
          }
        });
  }

  @Test
  void nameLenBeyondRecLen() throws Exception {
    long dirBlock = E2fs.bmap(image, "/dir", 0);
    poke(dirBlock * 1024 + 6, ByteBuffer.wrap(new byte[] {(byte) 200}));
    quickly(
        () -> {
          try (Mounted m = Mounted.image(image)) {
            mentions(
                assertThrows(CorruptFilesystemException.class, () -> m.fs.list("/dir")),
                "too small for name_len 200");
          }
        });
  }

  @Test
  void inodeNumberOutOfRange() throws Exception {
    long dirBlock = E2fs.bmap(image, "/dir", 0);
    poke32(dirBlock * 1024, 999_999);
    quickly(
        () -> {
          try (Mounted m = Mounted.image(image)) {
            mentions(
                assertThrows(CorruptFilesystemException.class, () -> m.fs.list("/dir")),
                "inode number 999999 out of range");
          }
        });
  }

  @Test
  void symlinkLoop() throws Exception {
    quickly(
        () -> {
          try (Mounted m = Mounted.image(image)) {
            assertThrows(FileSystemLoopException.class, () -> m.fs.open("/loop-a"));
          }
        });
  }
}
