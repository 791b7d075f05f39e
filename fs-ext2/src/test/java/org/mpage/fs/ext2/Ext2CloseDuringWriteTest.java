package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * A handle closed by another thread while a write on it is under way, the file already unlinked:
 * the close must wait for the write (as the kernel's fdget/fdput hold a file across a call), or the
 * last close frees the inode's blocks while the write goes on allocating more, and they leak
 * (e2fsck: "Block bitmap differences"). Seeded; the seed is printed.
 */
class Ext2CloseDuringWriteTest {
  @TempDir Path work;

  @Test
  void aCloseDuringAWriteOfAnUnlinkedFileLeaksNoBlock() throws Exception {
    long seed = Long.getLong("close.seed", System.nanoTime());
    System.out.println("Ext2CloseDuringWriteTest seed " + seed + " (-Dclose.seed=" + seed + ")");
    Random rnd = new Random(seed);
    Path image = E2fs.mkfs(work.resolve("disk.img"), "64M", null, "-b", "1024");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        try (Mounted m =
            Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false)) {
          FileHandle h = m.fs.openWrite("/victim", true, true, 0644);
          m.fs.unlink("/victim");
          byte[] chunk = new byte[256 << 10];
          rnd.nextBytes(chunk);
          CountDownLatch writing = new CountDownLatch(1);
          Future<?> writer =
              pool.submit(
                  () -> {
                    long pos = 0;
                    try {
                      for (int i = 0; i < 64; i++) {
                        h.write(pos, ByteBuffer.wrap(chunk));
                        pos += chunk.length;
                        writing.countDown();
                      }
                    } catch (java.io.IOException closed) {
                      // the close won: later writes are refused
                    }
                    return null;
                  });
          assertTrue(writing.await(30, TimeUnit.SECONDS));
          Thread.sleep(rnd.nextInt(20));
          h.close();
          writer.get(60, TimeUnit.SECONDS);
        }
        E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
