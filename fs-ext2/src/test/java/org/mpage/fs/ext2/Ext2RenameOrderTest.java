package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.logwrites.LogWritesDevice;
import org.mpage.device.logwrites.WriteLog;
import org.mpage.device.ramdisk.RamDisk;

/**
 * A rename across directories never leaves the file without a name at any crash point: the old
 * directory block loses its entry only after the new one holds the entry on the disk.
 */
class Ext2RenameOrderTest {
  @TempDir Path work;

  @Test
  void everyPrefixOfARenamesWrites_keepsTheFileNamed() throws Exception {
    Path base = E2fs.mkfs(work.resolve("base.img"), "16M", null, "-b", "1024", "-g", "2048");
    RamDisk ram = new RamDisk("ram", 16L << 20);
    Ext2CrashPointsTest.load(base, ram);
    LogWritesDevice dev = new LogWritesDevice("lw", ram, true);
    int from;
    try (Mounted m = Mounted.on(dev, Map.of(), 128, false)) {
      m.fs.mkdir("/a", 0755);
      m.fs.mkdir("/b", 0755); // another group: another directory block
      try (FileHandle h = m.fs.openWrite("/a/f", true, false, 0644)) {
        h.write(0, ByteBuffer.wrap("kept".getBytes(StandardCharsets.US_ASCII)));
      }
      m.fs.sync();
      from = dev.log().writes().size();
      m.fs.rename("/a/f", "/b/f");
      m.fs.sync();
    }
    WriteLog log = dev.log();
    Path start = Files.copy(base, work.resolve("start.img"));
    Path point = work.resolve("point.img");
    int checked = 0;
    try (WriteLog.Replayer replayer = log.replayer(start)) {
      for (int n = from; n <= log.writes().size(); n++) {
        replayer.writes(n, point);
        Process p =
            new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", point.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        assertFalse(out.contains("Unattached inode"), "after write " + n + ":\n" + out);
        checked++;
      }
    }
    assertTrue(checked >= 3, "points: " + checked);
  }
}
