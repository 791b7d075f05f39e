package org.mpage.device.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.fault.Images.Mounted;
import org.mpage.device.file.FileDevice;
import org.mpage.device.ramdisk.RamDisk;

/** dm-delay: each BIO waits, and the I/O is still right. */
class DelayDeviceTest {
  @TempDir Path dir;

  @Test
  void eachBioWaits_atLeastItsDelay() throws Exception {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    DelayDevice delay = new DelayDevice("delay0", ram, Map.of("read.ms", "30", "write.ms", "60"));
    long t0 = System.nanoTime();
    assertEquals(BlockStatus.OK, Raw.io(delay, BioOp.WRITE, 0, Raw.page((byte) 5)));
    long t1 = System.nanoTime();
    var page = Raw.page((byte) 0);
    assertEquals(BlockStatus.OK, Raw.io(delay, BioOp.READ, 0, page));
    long t2 = System.nanoTime();
    assertTrue(t1 - t0 >= 60_000_000L, "write took " + (t1 - t0) + " ns");
    assertTrue(t2 - t1 >= 30_000_000L, "read took " + (t2 - t1) + " ns");
    assertEquals(5, page.rawMemory().get(100));
    delay.close();
    assertEquals(BlockStatus.NODEV, Raw.io(delay, BioOp.READ, 0, page));
  }

  @Test
  void ext2OnADelayedDevice_writesAndReadsCorrectly() throws Exception {
    Path image = Images.mkfs(dir.resolve("a.img"), "16M");
    byte[][] data = new byte[8][];
    try (FileDevice disk = Images.file(image)) {
      DelayDevice delay = new DelayDevice("delay0", disk, Map.of("read.ms", "1", "write.ms", "2"));
      try (Mounted m = Mounted.on(delay, 128)) {
        m.fs().mkdir("/d", 0755);
        for (int i = 0; i < data.length; i++) {
          data[i] = Images.pattern(4096 * (i * 7 + 1) + i, i);
          try (FileHandle h = m.fs().openWrite("/d/f" + i, true, false, 0644)) {
            h.write(0, ByteBuffer.wrap(data[i]));
            h.fsync();
          }
        }
      }
      try (Mounted m = Mounted.on(delay, 128)) {
        for (int i = 0; i < data.length; i++) {
          try (FileHandle h = m.fs().open("/d/f" + i)) {
            assertArrayEquals(data[i], DustDeviceTest.read(h, 0, data[i].length + 10));
          }
        }
      }
      delay.close();
    }
    Images.fsck(image);
    for (int i = 0; i < data.length; i++) {
      assertArrayEquals(data[i], Images.cat(image, "/d/f" + i));
    }
  }
}
