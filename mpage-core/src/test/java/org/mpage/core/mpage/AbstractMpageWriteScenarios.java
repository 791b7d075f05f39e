package org.mpage.core.mpage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.WritebackControl;
import org.mpage.api.page.WritebackException;
import org.mpage.core.buffer.BufferCache;
import org.mpage.core.buffer.BufferLayer;
import org.mpage.core.file.CachedFile;
import org.mpage.core.file.OpenFile;
import org.mpage.core.testing.DeviceIo;
import org.mpage.core.testing.Harness;
import org.mpage.core.testing.ScriptedGetBlock;

/**
 * The write scenarios 24-40 of MPAGE-BEHAVIOUR.md section 3, against a recording device; subclasses
 * choose the real device behind it.
 */
abstract class AbstractMpageWriteScenarios {
  static final int K4 = 4096;
  Harness h;

  /** The device behind the recording device. */
  protected abstract Harness.Backing backing();

  protected Harness harness(Revision revision) throws Exception {
    h = new Harness(16L << 20, revision, org.mpage.core.MpageEngine.Config.defaults(), backing());
    return h;
  }

  protected Harness harness() throws Exception {
    return harness(Revision.V6_3);
  }

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  int writepages(CachedFile f, ScriptedGetBlock gb, WritebackControl wbc) {
    int ret = h.engine.mpage().mpageWritepages(f.mapping(), wbc, gb);
    h.dev.awaitIdle();
    return ret;
  }

  int writeAll(CachedFile f, ScriptedGetBlock gb) {
    return writepages(f, gb, WritebackControl.background(1000));
  }

  static void assertClean(Folio folio) {
    assertFalse(folio.isDirty(), "not dirty: " + folio);
    assertFalse(folio.isWriteback(), "not under writeback: " + folio);
    assertFalse(folio.isLocked(), "unlocked: " + folio);
  }

  void assertOnDisk(long phys, int blockSize, long index, int offsetInPage, int seed)
      throws Exception {
    byte[] disk = DeviceIo.read(h.disk, phys * blockSize, blockSize);
    for (int i = 0; i < blockSize; i++) {
      assertEquals(
          Harness.dataByte(index, offsetInPage + i, seed), disk[i], "byte " + i + " of " + phys);
    }
  }

  /** A locked folio with {@code bs}-byte buffers mapped to {@code phys[i]} (-1: unmapped). */
  Folio withBuffers(CachedFile f, long index, int bs, long[] phys, boolean[] dirty) {
    Folio folio = h.dirty(f, index, 1);
    folio.lock();
    BufferHead head = BufferLayer.createEmptyBuffers(folio, bs, Set.of());
    BufferHead bh = head;
    for (int i = 0; i < phys.length; i++) {
      if (phys[i] >= 0) {
        bh.map(h.dev, phys[i]);
      }
      if (!dirty[i]) {
        bh.clear(BhState.DIRTY);
      }
      bh = bh.thisPage();
    }
    folio.unlock();
    return folio;
  }

  @Test
  void scenario24_fourNewPages_oneBioAtTheEnd() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).allocateFrom(500, 501, 502, 503);
    CachedFile f = h.file(12, 4 * K4, gb);
    for (int i = 0; i < 4; i++) {
      h.dirty(f, i, 7);
    }
    assertEquals(0, writeAll(f, gb));
    assertEquals(
        List.of("create 0+4096", "create 1+4096", "create 2+4096", "create 3+4096"),
        gb.callBriefs());
    assertEquals(List.of("WRITE@4000:16384/4"), h.dev.briefs());
    for (Set<FolioFlag> state : h.dev.entries().get(0).folioStates()) {
      assertTrue(state.contains(FolioFlag.WRITEBACK), "writeback set before submit");
      assertFalse(state.contains(FolioFlag.LOCKED), "unlocked before submit");
      assertFalse(state.contains(FolioFlag.DIRTY));
    }
    for (int i = 0; i < 4; i++) {
      assertClean(h.folio(f, i));
      assertTrue(h.folio(f, i).isUptodate());
      assertOnDisk(500 + i, K4, i, 0, 7);
    }
  }

  @Test
  void scenario25_smallBlocks_oneCallPerBlock_stillOneBio() throws Exception {
    Harness h = harness();
    long[] phys = new long[16];
    for (int i = 0; i < 16; i++) {
      phys[i] = 500L + i;
    }
    ScriptedGetBlock gb = h.getBlock(10).allocateFrom(phys);
    CachedFile f = h.file(10, 4 * K4, gb);
    for (int i = 0; i < 4; i++) {
      h.dirty(f, i, 3);
    }
    writeAll(f, gb);
    assertEquals(16, gb.calls().size());
    assertTrue(gb.calls().stream().allMatch(c -> c.create() && c.requestedBytes() == 1024));
    assertEquals(List.of("WRITE@1000:16384/4"), h.dev.briefs());
  }

  @Test
  void scenario26_pageStraddlingEof_allocatesOnlyInside_zeroesTail() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).allocateFrom(700, 701, 702, 703);
    CachedFile f = h.file(10, 5096, gb);
    h.dirty(f, 1, 2);
    writeAll(f, gb);
    assertEquals(List.of("create 4+1024"), gb.callBriefs());
    assertEquals(List.of(4L), gb.allocated());
    assertEquals(List.of("WRITE@1400:1024/1"), h.dev.briefs());
    assertTrue(Harness.isZero(h.folio(f, 1), 1000, K4));
    assertClean(h.folio(f, 1));
  }

  @Test
  void scenario27_pageWhollyBeyondEof_allocatesNothing() throws Exception {
    for (long size : new long[] {8192, 0}) {
      Harness h = harness();
      ScriptedGetBlock gb = h.getBlock(12).allocateFrom(900, 901, 902, 903);
      CachedFile f = h.file(12, size, gb);
      long index = size / K4;
      h.dirty(f, index, 1);
      assertEquals(0, writeAll(f, gb));
      assertEquals(List.of(), gb.callBriefs(), "i_size " + size);
      assertEquals(List.of(), h.dev.briefs());
      assertClean(h.folio(f, index));
      h.close();
      this.h = null;
    }
  }

  @Test
  void scenario28_mappedDirtyBuffers_noGetBlock_cleaned() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10);
    CachedFile f = h.file(10, K4, gb);
    Folio folio =
        withBuffers(
            f, 0, 1024, new long[] {700, 701, 702, 703}, new boolean[] {true, true, true, true});
    writeAll(f, gb);
    assertEquals(List.of(), gb.callBriefs());
    assertEquals(List.of("WRITE@1400:4096/1"), h.dev.briefs());
    BufferHead bh = folio.buffers();
    for (int i = 0; i < 4; i++, bh = bh.thisPage()) {
      assertFalse(bh.isDirty(), "buffer " + i + " cleaned");
    }
    assertClean(folio);
  }

  @Test
  void scenario29_dirtyUnmappedBuffer_confused_allocatesOnlyIt() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb =
        h.getBlock(10).allocateFrom(600, 601, 602, 603, 702).map(4, 700, 2).map(7, 703, 1);
    CachedFile f = h.file(10, 2 * K4, gb);
    h.dirty(f, 0, 1);
    withBuffers(f, 1, 1024, new long[] {700, 701, -1, 703}, new boolean[] {true, true, true, true});
    writeAll(f, gb);
    assertEquals(
        List.of(
            "create 0+1024", "create 1+1024", "create 2+1024", "create 3+1024", "create 6+1024"),
        gb.callBriefs());
    assertEquals(
        List.of(
            "WRITE@1200:4096/1",
            "WRITE@1400:1024/1",
            "WRITE@1402:1024/1",
            "WRITE@1404:1024/1",
            "WRITE@1406:1024/1"),
        h.dev.briefs());
    assertClean(h.folio(f, 1));
  }

  @Test
  void scenario30_cleanMappedBuffer_confused_onlyDirtyWritten() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10);
    CachedFile f = h.file(10, K4, gb);
    withBuffers(
        f, 0, 1024, new long[] {700, 701, 702, 703}, new boolean[] {true, false, true, true});
    writeAll(f, gb);
    assertEquals(
        List.of("WRITE@1400:1024/1", "WRITE@1404:1024/1", "WRITE@1406:1024/1"), h.dev.briefs());
  }

  @Test
  void scenario31_mappedThenUnmappedBuffers_partialPageBio() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10);
    CachedFile f = h.file(10, K4, gb);
    Folio folio =
        withBuffers(
            f, 0, 1024, new long[] {700, 701, -1, -1}, new boolean[] {true, true, false, false});
    writeAll(f, gb);
    assertEquals(List.of("WRITE@1400:2048/1"), h.dev.briefs());
    BufferHead b = folio.buffers();
    assertFalse(b.isDirty());
    assertFalse(b.thisPage().isDirty());
    assertFalse(b.thisPage().thisPage().isMapped(), "unmapped buffers untouched");
    assertClean(folio);
  }

  @Test
  void scenario31_unmappedThenMapped_isConfused() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10);
    CachedFile f = h.file(10, K4, gb);
    withBuffers(
        f, 0, 1024, new long[] {-1, 701, 702, 703}, new boolean[] {false, true, true, true});
    writeAll(f, gb);
    assertEquals(
        List.of("WRITE@1402:1024/1", "WRITE@1404:1024/1", "WRITE@1406:1024/1"), h.dev.briefs());
  }

  @Test
  void scenario31_allUnmappedClean_isConfused_writesNothing() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10);
    CachedFile f = h.file(10, K4, gb);
    Folio folio =
        withBuffers(
            f, 0, 1024, new long[] {-1, -1, -1, -1}, new boolean[] {false, false, false, false});
    writeAll(f, gb);
    assertEquals(List.of(), h.dev.briefs());
    assertEquals(1, h.engine.blockLayer().stats().snapshot().bufferPathFallbacks());
    assertClean(folio);
  }

  @Test
  void scenario32_discontiguousAllocation_bufferPathOnlyLooksUp() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).allocateFrom(500, 501, 900, 901);
    CachedFile f = h.file(10, K4, gb);
    h.dirty(f, 0, 4);
    writeAll(f, gb);
    assertEquals(
        List.of(
            "create 0+1024",
            "create 1+1024",
            "create 2+1024",
            "create 0+1024",
            "create 1+1024",
            "create 2+1024",
            "create 3+1024"),
        gb.callBriefs());
    assertEquals(List.of(0L, 1L, 2L, 3L), gb.allocated(), "each block allocated once");
    assertEquals(
        List.of("WRITE@1000:1024/1", "WRITE@1002:1024/1", "WRITE@1800:1024/1", "WRITE@1802:1024/1"),
        h.dev.briefs());
    assertOnDisk(900, 1024, 0, 2048, 4);
  }

  @Test
  void scenario33_discontiguousPages_twoBios() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).map(0, 500, 4).map(4, 600, 4);
    CachedFile f = h.file(10, 2 * K4, gb);
    h.dirty(f, 0, 1);
    h.dirty(f, 1, 1);
    writeAll(f, gb);
    assertEquals(List.of("WRITE@1000:4096/1", "WRITE@1200:4096/1"), h.dev.briefs());
  }

  @Test
  void scenario34_writeBoundary_indirectBlockWrittenBetweenData() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10);
    CachedFile f = h.file(10, 16 * 1024, gb);
    // As ext2's write_begin leaves it: buffers mapped, block 11 flagged boundary, and the
    // indirect block (1012) allocated and dirty in the device's cache.
    for (int p = 0; p < 4; p++) {
      long[] phys = new long[4];
      for (int b = 0; b < 4; b++) {
        int iblock = p * 4 + b;
        phys[b] = iblock < 12 ? 1000 + iblock : 1001 + iblock;
      }
      withBuffers(f, p, 1024, phys, new boolean[] {true, true, true, true});
    }
    h.folio(f, 2).buffers().thisPage().thisPage().thisPage().set(BhState.BOUNDARY);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 1024);
    BufferHead ind = bc.getblk(1012);
    ind.set(BhState.UPTODATE);
    bc.markBufferDirty(ind);
    ind.put();
    writeAll(f, gb);
    assertEquals(
        List.of("WRITE@2000:12288/3", "WRITE@2024:1024/1", "WRITE@2026:4096/1"), h.dev.briefs());
    assertFalse(ind.isDirty());
  }

  @Test
  void scenario35_enospc_mappedBuffersWritten_errorReported_walkStops() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).allocateFrom(500, 501, 502, 503, 504, 505);
    for (long b = 6; b < 12; b++) {
      gb.noSpaceAt(b);
    }
    CachedFile f = h.file(10, 3 * K4, gb);
    try (OpenFile file = f.open()) {
      for (int i = 0; i < 3; i++) {
        h.dirty(f, i, 5);
      }
      assertEquals(28, writeAll(f, gb));
      assertEquals(
          List.of("WRITE@1000:4096/1", "WRITE@1008:1024/1", "WRITE@1010:1024/1"), h.dev.briefs());
      assertTrue(h.folio(f, 2).isDirty(), "background walk stopped at the error");
      WritebackException e = assertThrows(WritebackException.class, file::fsync);
      assertEquals(28, e.errno());
    }
  }

  @Test
  void scenario36_writeError_eachOpenFileSeesItOnce() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 4);
    CachedFile f = h.file(12, 4 * K4, gb);
    OpenFile a = f.open();
    OpenFile b = f.open();
    for (int i = 0; i < 4; i++) {
      h.dirty(f, i, 1);
    }
    h.dev.failWhen(bio -> bio.op() == BioOp.WRITE, BlockStatus.IOERR);
    writeAll(f, gb);
    for (int i = 0; i < 4; i++) {
      Folio folio = h.folio(f, i);
      assertClean(folio);
      assertTrue(folio.isUptodate());
      assertTrue(folio.test(FolioFlag.ERROR));
    }
    h.dev.clearFaults();
    assertEquals(5, assertThrows(WritebackException.class, a::fsync).errno());
    a.fsync();
    OpenFile c = f.open();
    c.fsync();
    assertEquals(5, assertThrows(WritebackException.class, b::fsync).errno());
    b.fsync();
  }

  @Test
  void scenario36_revision26_onlyTheFirstFsyncSeesTheError() throws Exception {
    Harness h = harness(Revision.V2_6);
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 1);
    CachedFile f = h.file(12, K4, gb);
    OpenFile a = f.open();
    OpenFile b = f.open();
    h.dirty(f, 0, 1);
    h.dev.failWhen(bio -> bio.op() == BioOp.WRITE, BlockStatus.IOERR);
    writeAll(f, gb);
    h.dev.clearFaults();
    assertEquals(5, assertThrows(WritebackException.class, a::fsync).errno());
    b.fsync();
  }

  @Test
  void scenario37_300DirtyPages_biosOf256And44() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 1000, 300);
    CachedFile f = h.file(12, 300 * K4, gb);
    for (int i = 0; i < 300; i++) {
      h.dirty(f, i, 9);
    }
    writeAll(f, gb);
    assertEquals(List.of("WRITE@8000:1048576/256", "WRITE@10048:180224/44"), h.dev.briefs());
  }

  @Test
  void scenario38_nrToWrite_cursorContinuesNextCall() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 5);
    CachedFile f = h.file(12, 5 * K4, gb);
    for (int i = 0; i < 5; i++) {
      h.dirty(f, i, 1);
    }
    writepages(f, gb, WritebackControl.background(2));
    assertEquals(List.of("WRITE@800:8192/2"), h.dev.briefs());
    assertEquals(2, f.mapping().writebackIndex());
    assertFalse(h.folio(f, 1).isDirty());
    assertTrue(h.folio(f, 2).isDirty());
    h.dev.clearLog();
    writepages(f, gb, WritebackControl.background(2));
    assertEquals(List.of("WRITE@816:8192/2"), h.dev.briefs());
    assertEquals(4, f.mapping().writebackIndex());
  }

  @Test
  void scenario39_underWriteback_backgroundSkips_integrityWaitsWithSync() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 2);
    CachedFile f = h.file(12, 2 * K4, gb);
    Folio p0 = h.dirty(f, 0, 1);
    h.dev.setHoldWrites(true);
    writeAll(f, gb);
    assertTrue(p0.isWriteback());
    f.mapping().dirtyFolio(p0); // redirtied while its write is in flight
    h.dev.clearLog();
    writeAll(f, gb);
    assertEquals(List.of(), h.dev.briefs(), "background writeback skips it");
    assertTrue(p0.isDirty());

    CompletableFuture<Integer> sync = new CompletableFuture<>();
    Thread syncer =
        new Thread(() -> sync.complete(writepages(f, gb, WritebackControl.syncAll())), "syncer");
    syncer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (syncer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(Thread.State.WAITING, syncer.getState(), "integrity writeback blocks");
    assertFalse(sync.isDone());
    assertEquals(List.of(), h.dev.briefs(), "integrity writeback waits for the first write");
    h.dev.setHoldWrites(false);
    h.dev.releaseHeld();
    assertEquals(0, sync.get(10, TimeUnit.SECONDS));
    assertEquals(List.of("WRITE[SYNC]@800:4096/1"), h.dev.briefs());
  }

  @Test
  void scenario39_pagesDirtiedAfterTagging_waitForTheNextPass() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 6);
    CachedFile f = h.file(12, 6 * K4, gb);
    h.dirty(f, 0, 1);
    Folio p5 = h.dirty(f, 5, 1);
    writepages(f, gb, WritebackControl.syncAll());
    // p5 clean now; dirty it again from inside the next pass, after the towrite tagging
    h.dirty(f, 0, 2);
    ScriptedGetBlock hooked =
        h.getBlock(12).map(0, 100, 6).onCall(iblock -> f.mapping().dirtyFolio(p5));
    h.dev.clearLog();
    writepages(f, hooked, WritebackControl.syncAll());
    assertEquals(List.of("WRITE[SYNC]@800:4096/1"), h.dev.briefs());
    assertTrue(p5.isDirty(), "dirtied after tagging: left for the next pass");
  }

  @Test
  void scenario39_truncatedDirtyPage_isNotWritten() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 2);
    CachedFile f = h.file(12, 2 * K4, gb);
    h.dirty(f, 0, 1);
    h.dirty(f, 1, 1);
    try (OpenFile file = f.open()) {
      file.truncate(K4);
    }
    writeAll(f, gb);
    assertEquals(List.of("WRITE@800:4096/1"), h.dev.briefs());
  }

  @Test
  void genericWritepages_nullGetBlock_writesEachFolioThroughTheMappingsWritepage()
      throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 2).map(2, 300, 1);
    CachedFile f = h.file(12, 3 * K4, gb);
    for (int i = 0; i < 3; i++) {
      h.dirty(f, i, 5);
    }
    int ret = h.engine.mpage().mpageWritepages(f.mapping(), WritebackControl.syncAll(), null);
    h.dev.awaitIdle();
    assertEquals(0, ret);
    // The mapping's writepage is the buffer path: one BIO per folio, mapped by its get_block.
    assertEquals(
        List.of("WRITE[SYNC]@800:4096/1", "WRITE[SYNC]@808:4096/1", "WRITE[SYNC]@2400:4096/1"),
        h.dev.briefs());
    assertEquals(0, h.engine.blockLayer().stats().snapshot().bufferPathFallbacks());
    long[] phys = {100, 101, 300};
    for (int i = 0; i < 3; i++) {
      assertClean(h.folio(f, i));
      assertOnDisk(phys[i], K4, i, 0, 5);
    }
  }

  @Test
  void genericWritepages_nullGetBlockOnBufferPathFile_writesAndUnlocks() throws Exception {
    Harness h = harness(Revision.V2_6);
    ScriptedGetBlock gb = h.getBlock(10).allocateFrom(700, 701, 702, 703, 900, 901, 902, 903);
    CachedFile f = h.bufferPathFile(10, 2 * K4, gb);
    Folio p0 = h.dirty(f, 0, 9);
    Folio p1 = h.dirty(f, 1, 9);
    int ret = h.engine.mpage().mpageWritepages(f.mapping(), WritebackControl.background(10), null);
    h.dev.awaitIdle();
    assertEquals(0, ret);
    assertEquals(8, gb.calls().size());
    assertClean(p0);
    assertClean(p1);
    for (int b = 0; b < 4; b++) {
      assertOnDisk(700 + b, 1024, 0, b * 1024, 9);
      assertOnDisk(900 + b, 1024, 1, b * 1024, 9);
    }
  }

  @Test
  void writepage26_nullGetBlock_usesTheMappingsWritepage() throws Exception {
    Harness h = harness(Revision.V2_6);
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 1);
    CachedFile f = h.file(12, K4, gb);
    Folio folio = h.dirty(f, 0, 4);
    folio.lock();
    assertTrue(f.mapping().clearDirtyForIo(folio));
    int ret = h.engine.mpage().mpageWritepageSingle(folio, null, WritebackControl.syncAll());
    h.dev.awaitIdle();
    assertEquals(0, ret);
    assertEquals(List.of("WRITE[SYNC]@800:4096/1"), h.dev.briefs());
    assertClean(folio);
    assertOnDisk(100, K4, 0, 0, 4);
  }

  @Test
  void writepage26_confusedPage_returnsEagainAndStaysLocked() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).map(0, 500, 2).map(2, 900, 2);
    CachedFile f = h.file(10, K4, gb);
    Folio folio = h.dirty(f, 0, 1);
    folio.lock();
    f.mapping().clearDirtyForIo(folio);
    int ret = h.engine.mpage().mpageWritepageSingle(folio, gb, WritebackControl.syncAll());
    assertEquals(Mpage.EAGAIN, ret);
    assertTrue(folio.isLocked());
    assertEquals(List.of(), h.dev.briefs());
    folio.unlock();
  }
}
