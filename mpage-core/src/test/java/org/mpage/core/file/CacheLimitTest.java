package org.mpage.core.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mpage.core.MpageEngine;
import org.mpage.core.testing.ScriptedGetBlock;
import org.mpage.device.ramdisk.RamDisk;

/** A page cache far smaller than the data still writes and reads every byte correctly. */
class CacheLimitTest {
  @Test
  void eightMegabytesThroughA64PageCache_roundTrip() throws Exception {
    int size = 8 << 20;
    RamDisk disk = new RamDisk("rd", size + (1 << 20));
    MpageEngine.Config config =
        MpageEngine.Config.defaults().withCacheLimit(64, 16).withFlusher(false, 1000, 1000);
    try (MpageEngine engine = new MpageEngine(config)) {
      // 1K blocks, allocated on demand, contiguously from block 64
      long[] next = {64};
      ScriptedGetBlock gb = new ScriptedGetBlock(disk, 10).allocator(() -> next[0]++);
      CachedFile file = engine.files().file("f", new SimpleInode(1, 10, 0), gb, "rd");
      byte[] data = new byte[size];
      new Random(42).nextBytes(data);
      try (OpenFile f = file.open()) {
        for (int off = 0; off < size; off += 65536) {
          f.write(off, ByteBuffer.wrap(data, off, 65536));
        }
        f.fsync();
        assertEquals(size, f.size());
      }
      assertTrue(engine.pageCache().evictions() > 1000, "pages were evicted and read back");
      assertTrue(
          engine.pageCache().nrPages() <= 64 + 32,
          "cache stays near its limit: " + engine.pageCache().nrPages());

      byte[] back = new byte[size];
      try (OpenFile f = file.open()) {
        ByteBuffer dst = ByteBuffer.wrap(back);
        while (dst.hasRemaining()) {
          int n = f.read(dst.position(), dst.slice().limit(Math.min(100_000, dst.remaining())));
          dst.position(dst.position() + n);
        }
      }
      assertArrayEquals(data, back);
      assertTrue(engine.pageCache().nrPages() <= 64 + 64, "reads stay near the limit too");
    }
  }
}
