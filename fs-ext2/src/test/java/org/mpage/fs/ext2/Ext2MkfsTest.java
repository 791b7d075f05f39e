package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mpage.api.fs.DirEntry;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.file.ImageFiles;

/** Our mkfs: e2fsck finds the result clean, debugfs and our own mount read it. */
class Ext2MkfsTest {
  @TempDir Path work;

  static void format(Path image, long size, int blockSize) throws IOException {
    ImageFiles.createSparse(image, size);
    try (FileDevice dev = FileDevice.open(FileDeviceConfig.of("mkfs", image));
        MpageEngine engine =
            new MpageEngine(MpageEngine.Config.defaults().withFlusher(false, 1000, 1000))) {
      new Ext2FileSystemType().format(dev, engine, Map.of("block.size", "" + blockSize));
    }
  }

  @ParameterizedTest(name = "{1}-byte blocks, {0} bytes")
  @CsvSource({
    "2097152, 1024",
    "8388608, 1024",
    "67108864, 1024",
    "8388608, 2048",
    "209715200, 2048",
    "8388608, 4096",
    "209715200, 4096",
    "1073741824, 4096"
  })
  void mkfs_isCleanForE2fsck(long size, int blockSize) throws Exception {
    Path image = work.resolve("m-" + size + "-" + blockSize + ".img");
    format(image, size, blockSize);
    Ext2RandomOpsTest.fsck(image);
    String sb = E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", image.toString()));
    assertTrue(sb.contains("Block size:               " + blockSize), sb);
    assertTrue(sb.contains("filetype sparse_super large_file"), sb);
    assertEquals(List.of("lost+found"), E2fs.debugfsNames(image, "/"));
    try (Mounted m = Mounted.image(image)) {
      List<DirEntry> root = m.fs.list("/");
      assertEquals("lost+found", root.get(0).name());
    }
  }

  @Test
  void tooSmallADevice_isAClearError() throws Exception {
    Path image = work.resolve("tiny.img");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> format(image, 32 * 1024, 1024));
    assertTrue(e.getMessage().contains("too small"), e.getMessage());
  }
}
