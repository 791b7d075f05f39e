package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * chown, utimes and ftruncate as debugfs reads them back; link and O_CREAT through a symbolic link
 * in the kernel's order. e2fsck judges every image.
 */
class Ext2SetattrTest {
  @TempDir Path work;

  private Path image() throws Exception {
    Path src = Files.createDirectory(work.resolve("src"));
    Files.write(src.resolve("f"), new byte[100_000]);
    Files.createDirectory(src.resolve("d"));
    return E2fs.mkfs(work.resolve("a.img"), "8M", src, "-b", "1024");
  }

  private static Mounted rw(Path img) throws java.io.IOException {
    return Mounted.on(
        FileDevice.open(FileDeviceConfig.of("img", img)), java.util.Map.of(), 128, false);
  }

  @Test
  void ownerTimesAndSizeReachTheDisk() throws Exception {
    Path img = image();
    try (Mounted m = rw(img)) {
      m.fs.setOwner("/f", 1234, 70_000);
      m.fs.setOwner("/d", -1, 42);
      try (FileHandle h = m.fs.openWrite("/f", false, false, 0644)) {
        m.fs.rename("/f", "/g"); // the handle keeps its inode under a new name
        h.ftruncate(5000);
      }
      // after the truncation, which sets the modification time to now, as ftruncate(2) does
      m.fs.setTimes("/g", 1_000_000_000L, 1_500_000_000L);
      m.fs.setTimes("/d", -1, 1_234_567_890L);
    }
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
    String g = E2fs.debugfs(img, false, "stat /g");
    assertTrue(g.contains("User:  1234   Group: 70000"), g);
    assertTrue(g.contains("Size: 5000"), g);
    assertTrue(g.contains(" atime: 0x3b9aca00"), g);
    assertTrue(g.contains(" mtime: 0x59682f00"), g);
    String d = E2fs.debugfs(img, false, "stat /d");
    assertTrue(d.contains("Group:    42"), d);
    assertTrue(d.contains(" mtime: 0x499602d2"), d);
  }

  @Test
  void linkSaysExistsBeforeItJudgesADirectory_andCreateFillsADanglingLink() throws Exception {
    Path img = image();
    try (Mounted m = rw(img)) {
      // link(2) reports EEXIST for an existing new name before EPERM for a directory
      assertThrows(FileAlreadyExistsException.class, () -> m.fs.link("/d", "/f"));
      m.fs.symlink("sub/target", "/d/link");
      m.fs.mkdir("/d/sub", 0755);
      try (FileHandle h = m.fs.openWrite("/d/link", true, false, 0600)) {
        h.write(0, ByteBuffer.wrap("through".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
      assertEquals(7, m.fs.stat("/d/sub/target").size());
    }
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
    assertTrue(E2fs.debugfs(img, false, "cat /d/sub/target").endsWith("\nthrough"));
  }
}
