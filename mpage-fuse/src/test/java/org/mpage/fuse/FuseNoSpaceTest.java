package org.mpage.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * A write that fills the image gets ENOSPC, as the caller sees it: an IOException "No space left on
 * device"; the mount goes on working, and the image is consistent after the unmount.
 */
class FuseNoSpaceTest {
  @TempDir Path work;

  @Test
  void writePastTheEndOfSpace_failsWithEnospc() throws Exception {
    Mounted.assumeFuse();
    Path image = E2fs.mkfs(work.resolve("small.img"), "2M", null, "-b", "1024");
    Path mnt = Files.createDirectory(work.resolve("mnt"));
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'x');
    try (Mounted m = Mounted.mount(image, mnt, false)) {
      Path big = mnt.resolve("big");
      IOException full =
          assertThrows(
              IOException.class,
              () -> {
                try (OutputStream out = Files.newOutputStream(big)) {
                  for (int i = 0; i < 1000; i++) { // 64 MiB at most: far more than 2 MiB
                    out.write(chunk);
                  }
                }
              });
      assertTrue(
          String.valueOf(full.getMessage()).contains("No space left on device"),
          "expected ENOSPC, got " + full);
      long written = Files.size(big);
      assertTrue(written > 1024 * 1024 && written < 2 * 1024 * 1024, "size " + written);
      // Still working: free the space, write again, read it back.
      Files.delete(big);
      Files.write(mnt.resolve("after"), chunk);
      assertArrayEquals(chunk, Files.readAllBytes(mnt.resolve("after")));
      assertEquals("after\nlost+found\n", Mounted.sh(work, "ls mnt"));
    }
    Mounted.fsck(image);
  }
}
