package org.mpage.core.writeback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.file.CachedFile;
import org.mpage.core.testing.Harness;
import org.mpage.core.testing.ScriptedGetBlock;

/** Ranges, cursors and the flusher. */
class WriteCachePagesTest {
  private Harness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void range_writesOnlyThePagesInIt() throws Exception {
    h = new Harness(4 << 20);
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 8);
    CachedFile f = h.file(12, 8 * 4096, gb);
    for (int i = 0; i < 8; i++) {
      h.dirty(f, i, 1);
    }
    WritebackControl wbc = WritebackControl.syncAll().range(2 * 4096, 4 * 4096 + 10);
    h.engine.mpage().mpageWritepages(f.mapping(), wbc, gb);
    assertEquals(List.of("WRITE[SYNC]@816:12288/3"), h.dev.briefs());
    assertTrue(h.folio(f, 1).isDirty());
    assertFalse(h.folio(f, 4).isDirty());
    assertTrue(h.folio(f, 5).isDirty());
  }

  @Test
  void cyclicWalk_reachingTheEnd_resetsTheCursorWithoutWrapping() throws Exception {
    h = new Harness(4 << 20);
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 8);
    CachedFile f = h.file(12, 8 * 4096, gb);
    h.dirty(f, 1, 1);
    h.dirty(f, 6, 1);
    f.mapping().setWritebackIndex(4);
    h.engine.mpage().mpageWritepages(f.mapping(), WritebackControl.background(100), gb);
    assertEquals(List.of("WRITE@848:4096/1"), h.dev.briefs(), "only from the cursor on");
    assertEquals(0, f.mapping().writebackIndex());
    assertTrue(h.folio(f, 1).isDirty());
  }

  @Test
  void flusher_writesExpiredDirtyPagesByItself() throws Exception {
    h =
        new Harness(
            4 << 20,
            org.mpage.core.mpage.Revision.V6_3,
            org.mpage.core.MpageEngine.Config.defaults());
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 4);
    CachedFile f = h.file(12, 4 * 4096, gb);
    for (int i = 0; i < 4; i++) {
      h.dirty(f, i, 1);
    }
    Flusher flusher = new Flusher(h.engine.pageCache(), 5, 0).start();
    try {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (f.mapping().hasDirtyPages() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      h.dev.awaitIdle();
    } finally {
      flusher.close();
    }
    assertFalse(f.mapping().hasDirtyPages(), "the flusher wrote the pages");
    assertEquals(List.of("WRITE@800:16384/4"), h.dev.briefs());
  }
}
