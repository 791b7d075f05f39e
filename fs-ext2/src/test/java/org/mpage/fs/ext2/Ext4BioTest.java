package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/** What reads of an extent-mapped file look like at the device: one BIO and get_block per run. */
class Ext4BioTest {
  @TempDir Path work;

  @Test
  void contiguous64MiBFile_minimumBiosAndOneGetBlockPerExtentPiece() throws Exception {
    Path src = Files.createDirectory(work.resolve("src"));
    byte[] data = new byte[64 << 20];
    new Random(3).nextBytes(data);
    Files.write(src.resolve("big"), data);
    Path image = E2fs.mkfsExt4(work.resolve("big.img"), "96M", src, "-b", "4096");
    int nblocks = data.length / 4096;
    long[] phys = new long[nblocks];
    boolean[] extentStart = new boolean[nblocks];
    List<long[]> rows = E2fs.extents(image, "/big");
    int mapped = 0;
    for (long[] row : rows) {
      if (row[0] != row[1]) {
        continue; // an index entry, not a leaf extent
      }
      extentStart[(int) row[2]] = true;
      for (long b = row[2]; b <= row[3]; b++) {
        phys[(int) b] = row[4] + (b - row[2]);
        mapped++;
      }
    }
    assertEquals(nblocks, mapped, rows.size() + " rows");
    // Minimum: a new BIO at each 1 MiB readahead window and at each extent (or discontiguity);
    // the extent ends are also where one get_block call's mapping ends.
    int expected = 0;
    for (int i = 0; i < nblocks; i++) {
      if (i % 256 == 0 || extentStart[i] || phys[i] != phys[i - 1] + 1) {
        expected++;
      }
    }
    LoggingDevice dev =
        new LoggingDevice(FileDevice.open(FileDeviceConfig.of("img", image).withReadOnly(true)));
    try (Mounted m = Mounted.on(dev, Map.of(), 1024);
        FileHandle f = m.fs.open("/big")) {
      dev.clear();
      long before = m.engine.statistics().get("get_block.calls");
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      byte[] back = new byte[data.length];
      for (long pos = 0; pos < data.length; pos += buf.capacity()) {
        buf.clear();
        f.read(pos, buf);
        System.arraycopy(buf.array(), 0, back, (int) pos, buf.capacity());
      }
      long getBlocks = m.engine.statistics().get("get_block.calls") - before;
      int dataReads = 0;
      for (long[] r : dev.reads()) {
        long block = r[0] / 8;
        boolean isData = false;
        for (long p : phys) {
          if (p == block) {
            isData = true;
            break;
          }
        }
        if (isData) {
          dataReads++;
        }
      }
      assertArrayEquals(data, back);
      assertEquals(expected, dataReads, "read BIOs for file data");
      assertEquals(expected, getBlocks, "one get_block call per extent piece");
      assertTrue(expected < 64 + rows.size() + 1, expected + " BIOs for " + rows.size() + " rows");
    }
  }
}
