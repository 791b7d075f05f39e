package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `info` names the filesystem as blkid does: ext2, ext3 (a journal) or ext4 (newer features). */
class Ext2KindTest {
  @TempDir Path work;

  @Test
  void mke2fsTypes_areNamedAsBlkidNamesThem() throws Exception {
    for (String type : new String[] {"ext2", "ext3", "ext4"}) {
      Path img = work.resolve(type + ".img");
      E2fs.run(
          java.util.List.of(E2fs.tool("mke2fs"), "-q", "-F", "-t", type, img.toString(), "16M"));
      String blkid =
          E2fs.run(java.util.List.of("blkid", "-o", "value", "-s", "TYPE", img.toString())).trim();
      try (Mounted m = Mounted.image(img)) {
        assertEquals(blkid, m.fs.info().type(), type);
        assertEquals(type, m.fs.info().type());
      }
    }
  }
}
