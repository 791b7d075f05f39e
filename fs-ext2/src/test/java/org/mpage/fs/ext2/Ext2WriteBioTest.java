package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/** What ext2 writes look like at the device, against e2fsprogs' own writer. */
class Ext2WriteBioTest {
  @TempDir Path work;

  /** Data extents of a file as debugfs stat lists them: "(first-last):start-end" entries. */
  static List<long[]> extents(Path image, String path) throws Exception {
    String stat = E2fs.debugfs(image, false, "stat " + path);
    Matcher m = Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)(?:-(\\d+))?").matcher(stat);
    List<long[]> out = new ArrayList<>();
    while (m.find()) {
      long first = Long.parseLong(m.group(1));
      long last = m.group(2) == null ? first : Long.parseLong(m.group(2));
      out.add(new long[] {first, last, Long.parseLong(m.group(3))});
    }
    return out;
  }

  /** Physically separate runs of data, merging extents that debugfs split only by logical range. */
  static int fragments(List<long[]> extents) {
    int runs = 0;
    long nextPhys = -1;
    for (long[] e : extents) {
      if (e[2] != nextPhys) {
        runs++;
      }
      nextPhys = e[2] + (e[1] - e[0] + 1);
    }
    return runs;
  }

  @Test
  void sequentialWrite512MiB_isAsContiguousAsDebugfs_withMinimumBios() throws Exception {
    Path image = E2fs.mkfs(work.resolve("seq.img"), "600M", null, "-b", "4096");
    long size = 512L << 20;
    LoggingDevice dev = new LoggingDevice(FileDevice.open(FileDeviceConfig.of("img", image)));
    try (Mounted m = Mounted.on(dev, Map.of(), 128, false)) {
      try (FileHandle f = m.fs.openWrite("/big", true, true, 0644)) {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < chunk.capacity(); i++) {
          chunk.put(i, (byte) (i * 7 + 1));
        }
        for (long pos = 0; pos < size; pos += chunk.capacity()) {
          f.write(pos, chunk.clear());
        }
        f.fsync();
      }
    }
    Ext2RandomOpsTest.fsck(image);
    int ours = fragments(extents(image, "/big"));
    // The same file written by debugfs into a fresh image of the same geometry.
    Path ref = E2fs.mkfs(work.resolve("ref.img"), "600M", null, "-b", "4096");
    Path src = work.resolve("src.bin");
    try (var ch =
        java.nio.channels.FileChannel.open(
            src, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
      for (int i = 0; i < chunk.capacity(); i++) {
        chunk.put(i, (byte) (i * 7 + 1));
      }
      for (long pos = 0; pos < size; pos += chunk.capacity()) {
        ch.write(chunk.clear(), pos);
      }
    }
    E2fs.debugfs(ref, true, "write " + src + " big");
    int theirs = fragments(extents(ref, "/big"));
    System.out.printf("512 MiB sequential write: %d fragments (debugfs: %d)%n", ours, theirs);
    assertTrue(ours <= theirs + 2, "ours " + ours + " fragments, debugfs " + theirs);
    // Write BIOs for data: at most one per 1 MiB plus one more per indirect boundary (128 here),
    // plus one per separate writeback pass that cut a run.
    long dataBios = 0;
    for (String e : dev.log()) {
      if (e.startsWith("WRITE@") && Long.parseLong(e.replaceAll(".*:", "")) > 4096) {
        dataBios++;
      }
    }
    long minimum = size / (1 << 20) + (size / 4096) / 1024;
    System.out.printf("data write BIOs: %d (minimum %d)%n", dataBios, minimum);
    assertTrue(dataBios <= minimum + minimum / 10, dataBios + " data BIOs, minimum " + minimum);
  }

  @Test
  void twoFilesWrittenTogether_doNotInterleaveBlockByBlock() throws Exception {
    Path image = E2fs.mkfs(work.resolve("two.img"), "64M", null, "-b", "1024");
    try (Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false)) {
      try (FileHandle a = m.fs.openWrite("/a", true, true, 0644);
          FileHandle b = m.fs.openWrite("/b", true, true, 0644)) {
        ByteBuffer chunk = ByteBuffer.allocate(4096);
        for (int i = 0; i < 4096; i++) {
          chunk.put(i, (byte) (i + 1));
        }
        for (long pos = 0; pos < (4L << 20); pos += 4096) {
          a.write(pos, chunk.clear());
          b.write(pos, chunk.clear());
        }
        a.fsync();
        b.fsync();
      }
    }
    Ext2RandomOpsTest.fsck(image);
    int fa = fragments(extents(image, "/a"));
    int fb = fragments(extents(image, "/b"));
    System.out.printf("two 4 MiB files written in turns: %d and %d fragments%n", fa, fb);
    // Without reservation windows the two files interleave into about 140 fragments each here.
    assertTrue(fa < 120 && fb < 120, fa + " and " + fb + " fragments");
  }

  @Test
  void writeBoundary_dataThenIndirectThenData() throws Exception {
    Path image = E2fs.mkfs(work.resolve("b.img"), "8M", null, "-b", "1024");
    LoggingDevice dev = new LoggingDevice(FileDevice.open(FileDeviceConfig.of("img", image)));
    try (Mounted m = Mounted.on(dev, Map.of(), 128, false)) {
      try (FileHandle f = m.fs.openWrite("/f", true, true, 0644)) {
        f.write(0, ByteBuffer.allocate(16 * 1024));
        dev.clear();
        f.fsync();
      }
      List<String> writes = new ArrayList<>();
      for (String e : dev.log()) {
        if (e.startsWith("WRITE")) {
          writes.add(e);
        }
      }
      long d0 = E2fs.bmap(image, "/f", 0);
      long d12 = E2fs.bmap(image, "/f", 12);
      assertEquals(d0 + 13, d12, "layout: data 0-11, indirect, data 12-");
      assertEquals("WRITE@" + d0 * 2 + ":" + 12 * 1024, writes.get(0), writes.toString());
      assertEquals("WRITE@" + (d0 + 12) * 2 + ":1024", writes.get(1), writes.toString());
      assertEquals("WRITE@" + d12 * 2 + ":" + 4 * 1024, writes.get(2), writes.toString());
    }
  }

  @Test
  void pageBeyondEof_allocatesNothing() throws Exception {
    Path image = E2fs.mkfs(work.resolve("e.img"), "8M", null, "-b", "1024");
    try (Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false)) {
      try (FileHandle f = m.fs.openWrite("/f", true, true, 0644)) {
        f.write(0, ByteBuffer.allocate(5000));
      }
      // Shrink: the second page is wholly beyond EOF now, though it may still be dirty.
      m.fs.truncate("/f", 100);
      m.fs.sync();
    }
    Ext2RandomOpsTest.fsck(image);
    assertEquals(1, extents(image, "/f").size(), "only block 0 is allocated");
  }

  @Test
  void noSpace_fromGetBlock_failsTheWrite_andTheImageStaysConsistent() throws Exception {
    Path image = E2fs.mkfs(work.resolve("n.img"), "2M", null, "-b", "1024");
    try (Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false)) {
      try (FileHandle keep = m.fs.openWrite("/keep", true, true, 0644)) {
        keep.write(0, ByteBuffer.wrap("kept".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        keep.fsync();
      }
      FileHandle f = m.fs.openWrite("/fill", true, true, 0644);
      ByteBuffer data = ByteBuffer.allocate(3 << 20);
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                while (data.hasRemaining()) {
                  f.write(data.position(), data); // short writes until the space runs out
                }
              });
      assertTrue(e instanceof org.mpage.api.page.NoSpaceException, e.toString());
      assertTrue(data.position() > 0 && data.position() < (2 << 20), "written " + data.position());
      f.fsync(); // what was written is durable
      f.close();
    }
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image)) {
      assertEquals(
          "kept",
          new String(
              Ext2ReadTest.readAll(m.fs, "/keep"), java.nio.charset.StandardCharsets.US_ASCII));
    }
  }
}
