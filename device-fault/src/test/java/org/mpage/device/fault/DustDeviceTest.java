package org.mpage.device.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.fault.Images.Mounted;
import org.mpage.device.file.FileDevice;
import org.mpage.device.ramdisk.RamDisk;

/** dm-dust: bad blocks fail reads until they are written; switched on and off at run time. */
class DustDeviceTest {
  @TempDir Path dir;

  @Test
  void badBlock_failsReadsUntilWritten_andBypassPassesEverything() throws Exception {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    DustDevice dust = new DustDevice("dust0", ram, Map.of("blocks", "3+10", "block.size", "4096"));
    // Block 3 is sectors 24..31; block 10 sectors 80..87.
    assertEquals(BlockStatus.IOERR, Raw.io(dust, BioOp.READ, 24, Raw.page((byte) 0)));
    assertEquals(BlockStatus.OK, Raw.io(dust, BioOp.READ, 16, Raw.page((byte) 0)));
    assertEquals(BlockStatus.IOERR, Raw.io(dust, BioOp.READ, 24, Raw.page((byte) 0)), "still bad");

    dust.disable();
    assertEquals(BlockStatus.OK, Raw.io(dust, BioOp.READ, 80, Raw.page((byte) 0)));
    assertEquals(List.of(3L, 10L), dust.badBlocks());
    dust.enable();

    assertEquals(BlockStatus.OK, Raw.io(dust, BioOp.WRITE, 24, Raw.page((byte) 9)));
    assertEquals(List.of(10L), dust.badBlocks(), "a write takes the block off the list");
    var page = Raw.page((byte) 0);
    assertEquals(BlockStatus.OK, Raw.io(dust, BioOp.READ, 24, page));
    assertEquals(9, page.rawMemory().get(4095));
    assertEquals(BlockStatus.IOERR, Raw.io(dust, BioOp.READ, 80, Raw.page((byte) 0)));
    dust.clearBadBlocks();
    assertEquals(BlockStatus.OK, Raw.io(dust, BioOp.READ, 80, Raw.page((byte) 0)));
  }

  @Test
  void badBlockUnderAFile_failsItsReaders_untilTheFileRewritesIt() throws Exception {
    Path image = Images.mkfs(dir.resolve("a.img"), "16M");
    byte[] v1 = Images.pattern(64 * 1024, 1);
    byte[] v2 = Images.pattern(4096, 2);
    try (FileDevice disk = Images.file(image);
        Mounted m = Mounted.on(disk, 0);
        FileHandle h = m.fs().openWrite("/f", true, false, 0644)) {
      h.write(0, ByteBuffer.wrap(v1));
      h.fsync();
    }
    long bad = Images.bmap(image, "/f", 5);
    try (FileDevice disk = Images.file(image)) {
      DustDevice dust =
          new DustDevice("dust0", disk, Map.of("blocks", Long.toString(bad), "block.size", "4096"));
      try (Mounted m = Mounted.on(dust, 0);
          FileHandle h = m.fs().openWrite("/f", false, false, 0644)) {
        assertArrayEquals(Arrays.copyOf(v1, 20480), read(h, 0, 20480));
        assertThrows(IOException.class, () -> read(h, 5 * 4096, 4096));
        assertThrows(IOException.class, () -> read(h, 5 * 4096, 4096), "until written");
        h.write(5 * 4096, ByteBuffer.wrap(v2));
        h.fsync();
        assertEquals(List.of(), dust.badBlocks());
      }
      // A new mount reads the block from the device again.
      try (Mounted m = Mounted.on(dust, 0);
          FileHandle h = m.fs().open("/f")) {
        assertArrayEquals(v2, read(h, 5 * 4096, 4096));
        assertArrayEquals(Arrays.copyOfRange(v1, 6 * 4096, v1.length), read(h, 6 * 4096, 40960));
      }
    }
    Images.fsck(image);
  }

  static byte[] read(FileHandle h, long pos, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining() && h.read(pos + buf.position(), buf) > 0) {
      // until full or end of file
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }
}
