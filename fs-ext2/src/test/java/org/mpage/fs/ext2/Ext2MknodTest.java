package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Special files as the kernel's ext2_mknod makes them: device numbers in i_block (the old 16-bit
 * encoding in i_block[0] when major and minor fit a byte each, else the new one in i_block[1]),
 * FIFOs and sockets without blocks; debugfs reads them back and e2fsck judges the image. Also the
 * mount option {@code time}: every stamp of a change is that time.
 */
class Ext2MknodTest {
  @TempDir Path work;

  private static Mounted rw(Path img, Map<String, String> options) throws java.io.IOException {
    return Mounted.on(FileDevice.open(FileDeviceConfig.of("img", img)), options, 128, false);
  }

  @Test
  void mknod_devicesFifosSockets_asDebugfsReadsThem() throws Exception {
    Path img = E2fs.mkfs(work.resolve("a.img"), "8M", null, "-b", "1024");
    try (Mounted m = rw(img, Map.of())) {
      m.fs.mknod("/null", FileType.CHAR_DEVICE, 0666, FileStat.makedev(1, 3));
      m.fs.mknod("/sda1", FileType.BLOCK_DEVICE, 0660, FileStat.makedev(8, 1));
      m.fs.mknod("/big", FileType.CHAR_DEVICE, 0600, FileStat.makedev(300, 70_000));
      m.fs.mknod("/fifo", FileType.FIFO, 0644, 0);
      m.fs.mknod("/sock", FileType.SOCKET, 0755, 0);
      assertThrows(
          FileAlreadyExistsException.class, () -> m.fs.mknod("/fifo", FileType.FIFO, 0644, 0));
      assertThrows(
          IllegalArgumentException.class, () -> m.fs.mknod("/r", FileType.REGULAR, 0644, 0));
      FileStat big = m.fs.lstat("/big");
      assertEquals(FileType.CHAR_DEVICE, big.type());
      assertEquals(300, FileStat.major(big.rdev()));
      assertEquals(70_000, FileStat.minor(big.rdev()));
      assertEquals(0, m.fs.lstat("/fifo").rdev());
    }
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
    String nul = E2fs.debugfs(img, false, "stat /null");
    assertTrue(nul.contains("Type: character special"), nul);
    assertTrue(nul.contains("Device major/minor number: 01:03 (hex 01:03)"), nul);
    String sda = E2fs.debugfs(img, false, "stat /sda1");
    assertTrue(sda.contains("Type: block special"), sda);
    assertTrue(sda.contains("Mode:  0660"), sda);
    assertTrue(sda.contains("Device major/minor number: 08:01"), sda);
    String big = E2fs.debugfs(img, false, "stat /big");
    assertTrue(big.contains("Device major/minor number: 300:70000"), big);
    assertTrue(E2fs.debugfs(img, false, "stat /fifo").contains("Type: FIFO"));
    assertTrue(E2fs.debugfs(img, false, "stat /sock").contains("Type: socket"));
    // Removing a device frees no "block" its number would name: e2fsck stays clean.
    try (Mounted m = rw(img, Map.of())) {
      assertEquals(FileStat.makedev(8, 1), m.fs.lstat("/sda1").rdev());
      m.fs.unlink("/sda1");
      m.fs.unlink("/big");
      m.fs.unlink("/null");
    }
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
  }

  @Test
  void devicesMadeByDebugfs_readBack() throws Exception {
    Path img = E2fs.mkfs(work.resolve("b.img"), "8M", null, "-b", "1024");
    E2fs.debugfs(img, true, "mknod c c 4 64");
    E2fs.debugfs(img, true, "mknod b b 259 300");
    try (Mounted m = Mounted.image(img)) {
      assertEquals(FileStat.makedev(4, 64), m.fs.lstat("/c").rdev());
      assertEquals(FileStat.makedev(259, 300), m.fs.lstat("/b").rdev());
      assertEquals(FileType.BLOCK_DEVICE, m.fs.lstat("/b").type());
    }
  }

  @Test
  void timeOption_stampsEveryChangeAndTheSuperblock() throws Exception {
    Path img = E2fs.mkfs(work.resolve("c.img"), "8M", null, "-b", "1024");
    try (Mounted m = rw(img, Map.of("time", "1234567890"))) {
      m.fs.mkdir("/d", 0755);
      m.fs.mknod("/d/p", FileType.FIFO, 0600, 0);
      m.fs.setOwner("/d/p", 5, 6);
      FileStat p = m.fs.lstat("/d/p");
      assertEquals(1234567890L, p.ctime());
      assertEquals(1234567890L, p.mtime());
      assertEquals(1234567890L, m.fs.lstat("/").mtime());
    }
    String sb = E2fs.debugfs(img, false, "stats");
    assertTrue(sb.contains("Last mount time:          Fri Feb 13 23:31:30 2009"), sb);
    assertTrue(sb.contains("Last write time:          Fri Feb 13 23:31:30 2009"), sb);
  }
}
