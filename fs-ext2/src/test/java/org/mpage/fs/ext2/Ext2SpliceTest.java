package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;

/**
 * {@code FileHandle.transferTo} (splice from the page cache) against the file's bytes, for random
 * ranges, into a plain channel and into a gathering {@code FileChannel}; a failing case prints its
 * seed ({@code -Dmpage.seed=S} reruns it).
 */
class Ext2SpliceTest {
  @TempDir Path work;

  @Test
  void transferTo_givesTheBytesOfTheRange_forRandomRanges() throws Exception {
    long seed = Long.getLong("mpage.seed", 7L);
    Random rnd = new Random(seed);
    Path src = Files.createDirectory(work.resolve("src"));
    byte[] data = new byte[3_000_000 + rnd.nextInt(5000)];
    rnd.nextBytes(data);
    Files.write(src.resolve("f"), data);
    Path img = E2fs.mkfs(work.resolve("s.img"), "16M", src, "-b", "1024");
    try (Mounted m = Mounted.image(img);
        FileHandle h = m.fs.open("/f")) {
      for (int i = 0; i < 200; i++) {
        long pos = rnd.nextInt(data.length + 10);
        long count = rnd.nextInt(4) == 0 ? Long.MAX_VALUE : rnd.nextInt(600_000);
        int from = (int) Math.min(pos, data.length);
        int to = (int) Math.min(data.length, pos + Math.min(count, data.length));
        byte[] want = Arrays.copyOfRange(data, from, to);
        String what = "seed " + seed + " case " + i + ": pos " + pos + " count " + count;
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        assertEquals(want.length, h.transferTo(pos, count, Channels.newChannel(plain)), what);
        assertArrayEquals(want, plain.toByteArray(), what);
        Path out = work.resolve("out" + (i % 3));
        try (FileChannel ch =
            FileChannel.open(
                out,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
          assertEquals(want.length, h.transferTo(pos, count, ch), what);
        }
        assertArrayEquals(want, Files.readAllBytes(out), what);
      }
    }
  }
}
