package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mpage.api.fs.FileHandle;

/**
 * Files stop at ext2_max_size(): truncate and write beyond it fail with EFBIG ("file too large")
 * and change nothing. Before, a truncate to 16 TiB on 4 KiB blocks succeeded and left an inode
 * e2fsck rejects. The sizes are the kernel's s_maxbytes: the block map limits 1 and 2 KiB blocks,
 * i_blocks limits 4 KiB blocks (2 TiB less the indirect blocks, counted as the kernel counts them).
 */
class Ext2MaxSizeTest {
  @TempDir Path work;

  private Path image(int blockSize) throws Exception {
    return E2fs.mkfs(work.resolve("m.img"), "8M", null, "-b", "" + blockSize);
  }

  @ParameterizedTest
  @CsvSource({"1024, 17247252480", "2048, 275415851008", "4096, 2196873666560"})
  void truncate_toTheLargestSize_succeeds_oneByteMore_isFileTooLarge(int blockSize, long max)
      throws Exception {
    Path image = image(blockSize);
    try (Mounted m = Ext2SuperblockCheckTest.mountReadWrite(image)) {
      try (FileHandle f = m.fs.openWrite("/f", true, true, 0644)) {
        f.write(0, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
      }
      FileSystemException e =
          assertThrows(FileSystemException.class, () -> m.fs.truncate("/f", max + 1));
      assertEquals("/f: file too large", e.getMessage());
      assertEquals(5, m.fs.stat("/f").size());
    }
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Ext2SuperblockCheckTest.mountReadWrite(image)) {
      m.fs.truncate("/f", max);
    }
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image)) {
      assertEquals(max, m.fs.stat("/f").size());
    }
  }

  @ParameterizedTest
  @CsvSource({"1024, 17247252480", "2048, 275415851008", "4096, 2196873666560"})
  void write_ofTheLastByte_works_atTheLargestSize_isFileTooLarge(int blockSize, long max)
      throws Exception {
    Path image = image(blockSize);
    try (Mounted m = Ext2SuperblockCheckTest.mountReadWrite(image);
        FileHandle f = m.fs.openWrite("/f", true, true, 0644)) {
      FileSystemException e =
          assertThrows(
              FileSystemException.class, () -> f.write(max, ByteBuffer.wrap(new byte[] {9})));
      assertEquals("/f: file too large", e.getMessage());
      assertEquals(0, f.size());
      assertEquals(1, f.write(max - 1, ByteBuffer.wrap(new byte[] {6})));
      // A write that crosses the limit stops at it, as write(2) does.
      ByteBuffer two = ByteBuffer.wrap(new byte[] {7, 8});
      assertEquals(1, f.write(max - 1, two));
      assertEquals(1, two.remaining());
      assertEquals(max, f.size());
      f.fsync();
    }
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image);
        FileHandle f = m.fs.open("/f")) {
      ByteBuffer last = ByteBuffer.allocate(1);
      assertEquals(1, f.read(max - 1, last));
      assertEquals(7, last.get(0));
    }
  }
}
