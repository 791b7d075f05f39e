package org.mpage.fileops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.FsInfo;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;

/**
 * {@code mkfs SIZE auto} counts on knowing what ext2's mkfs makes of a size: {@link
 * TreeSize#layout} against the free blocks and inodes of real mkfs runs over random sizes and every
 * block size; and the block count of a file against ext2's block map.
 */
class TreeSizeTest {
  @TempDir Path work;

  @Test
  void layout_isWhatMkfsMakes_randomSizes() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("TreeSizeTest seed " + seed);
    Random rnd = new Random(seed);
    for (int i = 0; i < 24; i++) {
      int bs = new int[] {1024, 2048, 4096}[i % 3];
      long count = 64L + (rnd.nextBoolean() ? rnd.nextInt(4000) : rnd.nextInt(300_000_000 / bs));
      FsInfo info = mkfs(work.resolve("l" + i + ".img"), count * bs, bs);
      long[] free = TreeSize.layout(count, bs);
      String what = count + " blocks of " + bs + " (seed " + seed + ")";
      assertEquals(free[0] - 2, info.freeBlocks(), what); // minus root's and lost+found's block
      assertEquals(free[1], info.freeInodes(), what);
    }
  }

  @Test
  void imageBytes_fitsWithTheMargin_andNoLess() {
    for (int bs : new int[] {1024, 4096}) {
      for (long blocks : new long[] {10, 5_000, 123_456}) {
        TreeSize.Needs needs = new TreeSize.Needs(blocks, blocks / 3, 0);
        long bytes = TreeSize.imageBytes(needs, bs);
        assertEquals(0, bytes % (1 << 20));
        long count = bytes / bs;
        long wantBlocks = blocks + Math.max(64, blocks / 10);
        long wantInodes = blocks / 3 + Math.max(16, blocks / 3 / 10);
        assertTrue(TreeSize.fits(count, bs, wantBlocks, wantInodes), bs + " " + blocks);
        long smaller = count - (1 << 20) / bs;
        assertTrue(
            smaller < 64 || !TreeSize.fits(smaller, bs, wantBlocks, wantInodes),
            "a MiB less would do: " + bs + " " + blocks);
      }
    }
  }

  @Test
  void fileBlocks_countIndirectBlocks() {
    assertEquals(0, TreeSize.fileBlocks(0, 1024));
    assertEquals(12, TreeSize.fileBlocks(12 * 1024, 1024));
    assertEquals(14, TreeSize.fileBlocks(13 * 1024, 1024)); // + single indirect
    assertEquals(12 + 1 + 256, TreeSize.fileBlocks((12 + 256) * 1024L, 1024));
    assertEquals(12 + 1 + 256 + 1 + 1 + 1, TreeSize.fileBlocks((12 + 256 + 1) * 1024L, 1024));
  }

  private static FsInfo mkfs(Path image, long bytes, int bs) throws Exception {
    try (FileChannel ch =
        FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[1]), bytes - 1);
    }
    BlockDeviceProvider file =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.type().equals("file"))
            .findFirst()
            .orElseThrow();
    FileSystemType ext2 =
        ServiceLoader.load(FileSystemType.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(t -> t.name().equals("ext2"))
            .findFirst()
            .orElseThrow();
    try (BlockDevice dev = file.open("image", Map.of("path", image.toString()));
        StorageEngine engine =
            ServiceLoader.load(StorageEngineFactory.class)
                .findFirst()
                .orElseThrow()
                .create(Map.of())) {
      ext2.format(dev, engine, Map.of("block.size", Integer.toString(bs)));
    }
    try (Mounted m = Mounted.mount(image, true)) {
      FsInfo info = m.fs.info();
      Files.delete(image);
      return info;
    }
  }
}
