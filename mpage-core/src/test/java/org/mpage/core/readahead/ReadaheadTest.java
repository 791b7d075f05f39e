package org.mpage.core.readahead;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.core.file.CachedFile;
import org.mpage.core.file.OpenFile;
import org.mpage.core.testing.Harness;

/** The on-demand readahead windows of mm/readahead.c. */
class ReadaheadTest {
  private Harness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void initialWindow_fromRequestSize() {
    assertEquals(4, Readahead.initRaSize(1, 32));
    assertEquals(8, Readahead.initRaSize(3, 32));
    assertEquals(16, Readahead.initRaSize(8, 32));
    assertEquals(32, Readahead.initRaSize(9, 32));
    assertEquals(32, Readahead.initRaSize(100, 32));
  }

  @Test
  void onePageSequentialReader_getsWindowsOf4_8_16_32_32() throws Exception {
    h = new Harness(8 << 20);
    CachedFile f = h.file(12, 200 * 4096L, h.getBlock(12).map(0, 100, 200));
    List<String> windows = new ArrayList<>();
    try (OpenFile file = f.open()) {
      ByteBuffer page = ByteBuffer.allocate(4096);
      for (int p = 0; p < 100; p++) {
        file.read(p * 4096L, page.clear());
        FileRaState ra = file.raState();
        String w = ra.start() + "+" + ra.size();
        if (windows.isEmpty() || !windows.get(windows.size() - 1).equals(w)) {
          windows.add(w);
        }
      }
    }
    assertEquals(List.of("0+4", "4+8", "12+16", "28+32", "60+32", "92+32", "124+32"), windows);
  }

  @Test
  void sequentialRead_readsAheadInLargeBios_andRandomReadsStaySmall() throws Exception {
    h = new Harness(8 << 20);
    CachedFile f = h.file(12, 200 * 4096L, h.getBlock(12).map(0, 100, 200));
    try (OpenFile file = f.open()) {
      file.read(0, ByteBuffer.allocate(128 * 1024));
      assertEquals("READ[RAHEAD]@800:131072/32", h.dev.briefs().get(0));
      h.dev.clearLog();
      file.read(150 * 4096L, ByteBuffer.allocate(100));
      assertEquals(List.of("READ[RAHEAD]@2000:4096/1"), h.dev.briefs(), "random: just the page");
    }
  }

  @Test
  void readaheadOff_readsOnePageAtATime() throws Exception {
    h =
        new Harness(
            8 << 20,
            org.mpage.core.mpage.Revision.V6_3,
            org.mpage.core.MpageEngine.Config.defaults().withReadAheadKb(0));
    CachedFile f = h.file(12, 8 * 4096L, h.getBlock(12).map(0, 100, 8));
    try (OpenFile file = f.open()) {
      file.read(0, ByteBuffer.allocate(2 * 4096));
    }
    assertEquals(List.of("READ[RAHEAD]@800:4096/1", "READ[RAHEAD]@808:4096/1"), h.dev.briefs());
  }
}
