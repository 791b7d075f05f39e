package org.mpage.device.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.page.Folio;
import org.mpage.device.fault.Images.Mounted;
import org.mpage.device.file.FileDevice;
import org.mpage.device.ramdisk.RamDisk;

/**
 * dm-flakey over a real device, and the block layer's promises about the errors it injects: ext2 on
 * mke2fs images through the engine, e2fsck and debugfs as the oracle. Time is a fake clock, so that
 * the device is down exactly between two steps of a test.
 */
class FlakeyDeviceTest {
  private static final int SIZE = 256 * 1024;

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong();

  /** Up from 0 to 1000 ms, down from 1000 to 2000, up again from 2000. */
  private FlakeyDevice flakey(BlockDevice lower, String mode, String... more) {
    Map<String, String> options =
        new java.util.HashMap<>(Map.of("up.ms", "1000", "down.ms", "1000", "mode", mode));
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return new FlakeyDevice("flakey0", lower, options, clock::get);
  }

  private void goDown() {
    clock.set(1000);
  }

  private void goUp() {
    clock.set(2000);
  }

  private static void write(FileHandle h, byte[] data) throws IOException {
    int n = h.write(0, ByteBuffer.wrap(data));
    assertEquals(data.length, n);
  }

  private static byte[] read(FileHandle h, long pos, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (h.read(pos + buf.position(), buf) <= 0) {
        break;
      }
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  @Test
  void writeError_reachesFsyncOncePerOpenFile_andALaterFsyncSucceeds() throws Exception {
    Path image = Images.mkfs(dir.resolve("a.img"), "16M");
    byte[] v1 = Images.pattern(SIZE, 1);
    byte[] v2 = Images.pattern(SIZE, 2);
    byte[] v3 = Images.pattern(SIZE, 3);
    try (FileDevice disk = Images.file(image)) {
      FlakeyDevice flakey = flakey(disk, "error-writes");
      try (Mounted m = Mounted.on(flakey, 0)) {
        FileHandle h1 = m.fs().openWrite("/f", true, false, 0644);
        write(h1, v1);
        h1.fsync();
        FileHandle h2 = m.fs().openWrite("/f", false, false, 0644);

        goDown();
        write(h1, v2);
        assertThrows(IOException.class, h1::fsync, "the writer's fsync sees the error");
        assertTrue(flakey.faulted() > 0);

        goUp();
        h1.fsync(); // seen once by h1: not again
        assertThrows(IOException.class, h2::fsync, "the other open file sees the same error, once");
        h2.fsync();
        FileHandle h3 = m.fs().openWrite("/f", false, false, 0644);
        h3.fsync(); // opened after the error was seen: nothing to report

        write(h3, v3);
        h3.fsync();
        h1.close();
        h2.close();
        h3.close();
      }
    }
    Images.fsck(image);
    assertArrayEquals(v3, Images.cat(image, "/f"));
  }

  @Test
  void readError_reachesTheReader_andCachedPagesStayValid() throws Exception {
    Path image = Images.mkfs(dir.resolve("b.img"), "16M");
    byte[] v1 = Images.pattern(SIZE, 1);
    try (FileDevice disk = Images.file(image)) {
      try (Mounted m = Mounted.on(disk, 0);
          FileHandle h = m.fs().openWrite("/f", true, false, 0644)) {
        write(h, v1);
        h.fsync();
      }
      FlakeyDevice flakey = flakey(disk, "error-reads");
      try (Mounted m = Mounted.on(flakey, 0);
          FileHandle h = m.fs().open("/f")) {
        assertArrayEquals(Arrays.copyOfRange(v1, 0, 16384), read(h, 0, 16384));

        goDown();
        assertThrows(IOException.class, () -> read(h, 128 * 1024, 4096));
        assertTrue(flakey.faulted() > 0);
        assertArrayEquals(
            Arrays.copyOfRange(v1, 0, 16384), read(h, 0, 16384), "cached pages are still good");

        goUp();
        assertArrayEquals(
            Arrays.copyOfRange(v1, 128 * 1024, 132 * 1024),
            read(h, 128 * 1024, 4096),
            "the failed page is read again, not served from the cache");
        assertArrayEquals(v1, read(h, 0, SIZE));
      }
    }
    Images.fsck(image);
  }

  @Test
  void dropWrites_completesWritesWithoutWritingThem() throws Exception {
    Path image = Images.mkfs(dir.resolve("c.img"), "16M");
    byte[] v1 = Images.pattern(SIZE, 1);
    byte[] v2 = Images.pattern(SIZE, 2);
    try (FileDevice disk = Images.file(image)) {
      FlakeyDevice flakey = flakey(disk, "drop-writes");
      try (Mounted m = Mounted.on(flakey, 0);
          FileHandle h = m.fs().openWrite("/f", true, false, 0644)) {
        write(h, v1);
        h.fsync();
        goDown();
        write(h, v2);
        h.fsync(); // the fault: the writes were acknowledged, never made
        assertTrue(flakey.faulted() > 0);
        goUp();
      }
    }
    Images.fsck(image);
    assertArrayEquals(v1, Images.cat(image, "/f"));
  }

  @Test
  void corruptWrites_corruptsOneByteOnDisk_notInThePageCache() throws Exception {
    Path image = Images.mkfs(dir.resolve("d.img"), "16M");
    byte[] v1 = Images.pattern(SIZE, 1);
    byte[] v2 = Images.pattern(SIZE, 2);
    try (FileDevice disk = Images.file(image)) {
      // Byte 5000: only BIOs of more than one 4 KiB block, the file's data, never metadata.
      FlakeyDevice flakey = flakey(disk, "corrupt-writes", "corrupt.byte", "5000");
      try (Mounted m = Mounted.on(flakey, 0);
          FileHandle h = m.fs().openWrite("/f", true, false, 0644)) {
        write(h, v1);
        h.fsync();
        goDown();
        write(h, v2);
        h.fsync();
        assertArrayEquals(v2, read(h, 0, SIZE), "the page cache keeps what was written");
        goUp();
      }
    }
    Images.fsck(image);
    byte[] onDisk = Images.cat(image, "/f");
    assertEquals(SIZE, onDisk.length);
    int differ = 0;
    for (int i = 0; i < SIZE; i++) {
      if (onDisk[i] != v2[i]) {
        differ++;
        assertEquals((byte) ~v2[i], onDisk[i], "an inverted byte at " + i);
      }
    }
    assertTrue(differ >= 1 && differ <= SIZE / 8192, differ + " bytes differ");
  }

  @Test
  void corruptReads_corruptsTheDataRead_withTheValueGiven() throws Exception {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    FlakeyDevice flakey = flakey(ram, "corrupt-reads", "corrupt.byte", "7", "corrupt.value", "66");
    assertEquals(BlockStatus.OK, Raw.io(flakey, BioOp.WRITE, 8, Raw.page((byte) 1)));
    goDown();
    Folio f = Raw.page((byte) 0);
    assertEquals(BlockStatus.OK, Raw.io(flakey, BioOp.READ, 8, f));
    assertEquals(66, f.rawMemory().get(7));
    assertEquals(1, f.rawMemory().get(6));
    assertEquals(1, f.rawMemory().get(8));
    Folio g = Raw.page((byte) 0);
    assertEquals(BlockStatus.OK, Raw.io(ram, BioOp.READ, 8, g));
    assertEquals(1, g.rawMemory().get(7), "the device's data is intact");
  }

  @Test
  void intervalsInBios_countOnlyBiosWithData_andFlushesPass() throws Exception {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    FlakeyDevice flakey =
        new FlakeyDevice("flakey0", ram, Map.of("up.bios", "2", "down.bios", "1", "mode", "error"));
    Folio p = Raw.page((byte) 3);
    List<BlockStatus> seen = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seen.add(Raw.io(flakey, i % 2 == 0 ? BioOp.WRITE : BioOp.READ, 0, p));
      assertEquals(BlockStatus.OK, Raw.io(flakey, BioOp.FLUSH, 0, null));
    }
    assertEquals(
        List.of(
            BlockStatus.OK,
            BlockStatus.OK,
            BlockStatus.IOERR,
            BlockStatus.OK,
            BlockStatus.OK,
            BlockStatus.IOERR),
        seen);
  }

  @Test
  void options_areCheckedAndNamed() {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FlakeyDevice("f", ram, Map.of("down_ms", "5", "mode", "bogus")));
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FlakeyDevice("f", ram, Map.of("down.ms", "5", "downn.ms", "5")));
    assertTrue(e.getMessage().contains("downn.ms"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new FlakeyDevice("f", ram, Map.of("down.ms", "5", "down.bios", "5")));
    // down_ms is down.ms, as in a DS configuration attribute
    FlakeyDevice ok = new FlakeyDevice("f", ram, Map.of("up_ms", "0", "down_ms", "5"));
    assertTrue(ok.isDown());
    assertFalse(ok.hasRwPage(), "no rw_page: every page goes through the target as a BIO");
    assertEquals("f", ok.name());
    assertEquals(ram.capacitySectors(), ok.capacitySectors());
  }

  @Test
  void close_leavesTheLowerDeviceOpen() throws Exception {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    FlakeyDevice flakey = new FlakeyDevice("f", ram, Map.of("down.ms", "5", "up.ms", "100000"));
    flakey.close();
    assertEquals(BlockStatus.NODEV, Raw.io(flakey, BioOp.READ, 0, Raw.page((byte) 0)));
    assertEquals(BlockStatus.OK, Raw.io(ram, BioOp.READ, 0, Raw.page((byte) 0)));
  }
}
