package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/** What ext2 reads look like at the device: boundary ordering and BIO counts. */
class Ext2BioTest {
  @TempDir Path work;

  /** A 1K-block image with one 64 KiB file written by debugfs, as in the seed's comment. */
  private Path debugfsImage() throws Exception {
    Path image = E2fs.mkfs(work.resolve("b.img"), "8M", null, "-b", "1024");
    byte[] data = new byte[64 * 1024];
    new Random(1).nextBytes(data);
    Path src = Files.write(work.resolve("src"), data);
    E2fs.debugfs(image, true, "write " + src + " f");
    return image;
  }

  private List<String> firstReads(Path image, String boundary) throws Exception {
    LoggingDevice dev =
        new LoggingDevice(FileDevice.open(FileDeviceConfig.of("img", image).withReadOnly(true)));
    try (Mounted m = Mounted.on(dev, Map.of("boundary", boundary), 128);
        FileHandle f = m.fs.open("/f")) {
      dev.clear();
      f.read(0, ByteBuffer.allocate(16 * 1024));
      return dev.log();
    }
  }

  @Test
  void first16Blocks_dataThenIndirectThenData() throws Exception {
    Path image = debugfsImage();
    long d0 = E2fs.bmap(image, "/f", 0);
    long d11 = E2fs.bmap(image, "/f", 11);
    long d12 = E2fs.bmap(image, "/f", 12);
    long ind = d11 + 1;
    assertEquals(d0 + 11, d11, "debugfs laid data 0-11 out contiguously");
    assertEquals(ind + 1, d12, "and the indirect block between 11 and 12");
    List<String> log = firstReads(image, "on");
    assertEquals("READ@" + d0 * 2 + ":" + 12 * 1024, log.get(0), log.toString());
    assertEquals("READ@" + ind * 2 + ":1024", log.get(1), log.toString());
    assertEquals(
        d12 * 2, Long.parseLong(log.get(2).replaceAll("READ@(\\d+):.*", "$1")), log.toString());

    List<String> off = firstReads(image, "off");
    assertEquals("READ@" + ind * 2 + ":1024", off.get(0), "without boundary: " + off);
    assertEquals("READ@" + d0 * 2 + ":" + 12 * 1024, off.get(1), off.toString());
  }

  @Test
  void contiguous64MiBFile_minimumBiosAndOneGetBlockPerRun() throws Exception {
    Path src = Files.createDirectory(work.resolve("src64"));
    byte[] data = new byte[64 << 20];
    new Random(2).nextBytes(data);
    Files.write(src.resolve("big"), data);
    Path image = E2fs.mkfs(work.resolve("c.img"), "80M", src, "-b", "4096");
    // The physical block of every file block, from debugfs.
    long nblocks = data.length / 4096;
    long[] phys = new long[(int) nblocks];
    // debugfs stat lists extents of data blocks as (first-last):start-end, metadata as (IND) etc.
    String stat = E2fs.debugfs(image, false, "stat /big");
    java.util.regex.Matcher ext =
        java.util.regex.Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)(?:-(\\d+))?")
            .matcher(stat);
    int mapped = 0;
    while (ext.find()) {
      long first = Long.parseLong(ext.group(1));
      long last = ext.group(2) == null ? first : Long.parseLong(ext.group(2));
      long start = Long.parseLong(ext.group(3));
      for (long b = first; b <= last; b++) {
        phys[(int) b] = start + (b - first);
        mapped++;
      }
    }
    assertEquals(nblocks, mapped, stat);
    // Minimum: a new BIO at every 1 MiB readahead window, every discontiguity, and after every
    // boundary (the last slot of the direct area or of an indirect block).
    int expected = 0;
    for (int i = 0; i < nblocks; i++) {
      boolean start =
          i == 0
              || i % 256 == 0
              || phys[i] != phys[i - 1] + 1
              || i == 12
              || (i > 12 && (i - 12) % 1024 == 0);
      if (start) {
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
      for (long pos = 0; pos < data.length; pos += buf.capacity()) {
        buf.clear();
        f.read(pos, buf);
      }
      long getBlocks = m.engine.statistics().get("get_block.calls") - before;
      List<long[]> dataReads = new ArrayList<>();
      for (long[] r : dev.reads()) {
        if (r[1] > 4096 || isData(r[0] / 8, phys)) {
          dataReads.add(r);
        }
      }
      assertEquals(expected, dataReads.size(), "read BIOs for file data");
      assertEquals(expected, getBlocks, "one get_block call per run");
      assertEquals(64 + 16, expected, "64 one-MiB windows plus 16 indirect-block boundaries");
    }
  }

  private static boolean isData(long block, long[] phys) {
    for (long p : phys) {
      if (p == block) {
        return true;
      }
    }
    return false;
  }
}
