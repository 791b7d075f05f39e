package org.mpage.core.mpage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.core.buffer.BufferCache;
import org.mpage.core.buffer.BufferLayer;
import org.mpage.core.file.CachedFile;
import org.mpage.core.file.OpenFile;
import org.mpage.core.pagecache.VictimCleancache;
import org.mpage.core.testing.Harness;
import org.mpage.core.testing.RecordingDevice;
import org.mpage.core.testing.ScriptedGetBlock;

/**
 * The read scenarios 1-23 of MPAGE-BEHAVIOUR.md section 3, against a recording device; subclasses
 * choose the real device behind it.
 */
abstract class AbstractMpageReadScenarios {
  static final int K4 = 4096;
  Harness h;

  /** The device behind the recording device. */
  protected abstract Harness.Backing backing();

  protected Harness harness(long diskBytes, Revision revision) throws Exception {
    h = new Harness(diskBytes, revision, org.mpage.core.MpageEngine.Config.defaults(), backing());
    return h;
  }

  protected Harness harness() throws Exception {
    return harness(16L << 20, Revision.V6_3);
  }

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  static void assertUptodateUnlocked(Folio folio) {
    assertTrue(folio.isUptodate(), "uptodate: " + folio);
    assertFalse(folio.isLocked(), "unlocked: " + folio);
  }

  static void assertDiskData(Folio folio, int offset, long phys, int blockSize) {
    assertArrayEquals(
        Harness.diskBlock(phys, blockSize),
        Harness.bytes(folio, offset, blockSize),
        "data of block " + phys + " at offset " + offset + " of " + folio);
  }

  @Test
  void scenario01_oneBlockPerCall_buildsOneBio() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 8).singleBlock();
    CachedFile f = h.file(12, 8 * K4, gb);
    h.readahead(f, 0, 8);
    assertEquals(8, gb.calls().size());
    assertEquals(List.of("READ[RAHEAD]@800:32768/8"), h.dev.briefs());
    for (int i = 0; i < 8; i++) {
      Folio folio = h.folio(f, i);
      assertUptodateUnlocked(folio);
      assertTrue(folio.test(FolioFlag.MAPPEDTODISK));
      assertDiskData(folio, 0, 100 + i, K4);
    }
  }

  @Test
  void scenario02_multiBlockGetBlock_isCalledOnce() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 8);
    CachedFile f = h.file(12, 8 * K4, gb);
    h.readahead(f, 0, 8);
    assertEquals(List.of("0+32768"), gb.callBriefs());
    assertEquals(List.of("READ[RAHEAD]@800:32768/8"), h.dev.briefs());
  }

  @Test
  void scenario03_firstRequestIsCappedByTheBatch() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 1000, 100);
    CachedFile f = h.file(12, 100 * K4, gb);
    h.readahead(f, 10, 4);
    assertEquals("10+16384", gb.callBriefs().get(0));
    assertEquals(List.of("READ[RAHEAD]@8080:16384/4"), h.dev.briefs());
  }

  @Test
  void scenario04_oneKilobyteBlocks_twoPagesOneBio() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(10, 8192, h.getBlock(10).map(0, 200, 8));
    h.readahead(f, 0, 2);
    assertEquals(List.of("READ[RAHEAD]@400:8192/2"), h.dev.briefs());
    assertDiskData(h.folio(f, 1), 0, 204, 1024);
  }

  @Test
  void scenario05_eofInsideLastBlock_tailZeroedAndSubmitted() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(11).map(0, 50, 3);
    CachedFile f = h.file(11, 5000, gb);
    h.readahead(f, 0, 2);
    assertEquals(List.of("READ[RAHEAD]@200:6144/2"), h.dev.briefs());
    assertEquals(List.of("0+6144"), gb.callBriefs(), "no get_block for block 3");
    Folio p1 = h.folio(f, 1);
    assertUptodateUnlocked(p1);
    assertTrue(Harness.isZero(p1, 2048, K4));
    // file bytes 5000..6143 (inside the last block) come from disk, not zeroed
    assertDiskData(p1, 0, 52, 2048);
  }

  @Test
  void scenario06_holeThenData_fallsBackToBufferPath() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).map(0, 296, 4).map(4, 300, 1).map(6, 302, 2);
    CachedFile f = h.file(10, 8192, gb);
    h.readahead(f, 0, 2);
    assertEquals(
        List.of("READ[RAHEAD]@592:4096/1", "READ@600:1024/1", "READ@604:1024/1", "READ@606:1024/1"),
        h.dev.briefs());
    assertEquals(
        List.of("0+8192", "5+3072", "6+2048", "4+1024", "5+1024", "6+1024", "7+1024"),
        gb.callBriefs());
    Folio p1 = h.folio(f, 1);
    assertUptodateUnlocked(p1);
    assertTrue(Harness.isZero(p1, 1024, 2048), "buffer 1 (the hole) is zeroed");
    assertDiskData(p1, 0, 300, 1024);
    assertDiskData(p1, 2048, 302, 1024);
    assertDiskData(p1, 3072, 303, 1024);
  }

  @Test
  void scenario07_sparseTail_submittedAtOnce_nextPageNewBio() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(10, 8192, h.getBlock(10).map(0, 300, 2).map(4, 302, 4));
    h.readahead(f, 0, 2);
    assertEquals(List.of("READ[RAHEAD]@600:2048/1", "READ[RAHEAD]@604:4096/1"), h.dev.briefs());
    assertTrue(Harness.isZero(h.folio(f, 0), 2048, K4));
    assertUptodateUnlocked(h.folio(f, 0));
  }

  @Test
  void scenario08_wholeHolePage_zeroedWithoutSubmittingTheBio() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(10, 12288, h.getBlock(10).map(0, 100, 4).map(8, 104, 4));
    h.readahead(f, 0, 3);
    assertEquals(List.of("READ[RAHEAD]@200:8192/2"), h.dev.briefs());
    Folio p1 = h.folio(f, 1);
    assertUptodateUnlocked(p1);
    assertTrue(Harness.isZero(p1, 0, K4));
    assertEquals(2, h.dev.entries().get(0).folioStates().size());
  }

  @Test
  void scenario09_discontiguousBlocksInAPage_fourBufferReads() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(10, K4, h.getBlock(10).map(0, 100, 2).map(2, 150, 2));
    h.readahead(f, 0, 1);
    assertEquals(
        List.of("READ@200:1024/1", "READ@202:1024/1", "READ@300:1024/1", "READ@302:1024/1"),
        h.dev.briefs());
    assertUptodateUnlocked(h.folio(f, 0));
    assertDiskData(h.folio(f, 0), 2048, 150, 1024);
  }

  @Test
  void scenario10_discontiguousPages_bioSubmittedBeforeNextPage() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(12, 3 * K4, h.getBlock(12).map(0, 100, 1).map(1, 200, 2));
    h.readahead(f, 0, 3);
    assertEquals(List.of("READ[RAHEAD]@800:4096/1", "READ[RAHEAD]@1600:8192/2"), h.dev.briefs());
  }

  /** An ext2-like layout: data 0-11, indirect block, data 12-15, with the indirect read. */
  private ScriptedGetBlock ext2Layout(Harness h, int blockBits, boolean boundary) {
    int bs = 1 << blockBits;
    ScriptedGetBlock gb = h.getBlock(blockBits).map(0, 1000, 12).map(12, 1013, 4);
    if (boundary) {
      gb.boundaryAt(11);
    }
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, bs);
    gb.beforeMapping(
        iblock -> {
          if (iblock >= 12) {
            try {
              bc.bread(1012).put();
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          }
        });
    return gb;
  }

  @Test
  void scenario11_boundary_dataBeforeIndirectBlock() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(12, 16 * K4, ext2Layout(h, 12, true));
    h.readahead(f, 0, 16);
    assertEquals(
        List.of("READ[RAHEAD]@8000:49152/12", "READ@8096:4096/1", "READ[RAHEAD]@8104:16384/4"),
        h.dev.briefs());
  }

  @Test
  void scenario11_withoutBoundary_indirectBlockComesFirst() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(12, 16 * K4, ext2Layout(h, 12, false));
    h.readahead(f, 0, 16);
    assertEquals(
        List.of("READ@8096:4096/1", "READ[RAHEAD]@8000:49152/12", "READ[RAHEAD]@8104:16384/4"),
        h.dev.briefs());
  }

  @Test
  void scenario12_boundaryWith1kBlocks_submittedAfterPage2() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(10, 16 * 1024, ext2Layout(h, 10, true));
    h.readahead(f, 0, 4);
    assertEquals(
        List.of("READ[RAHEAD]@2000:12288/3", "READ@2024:1024/1", "READ[RAHEAD]@2026:4096/1"),
        h.dev.briefs());
  }

  @Test
  void scenario13_uptodateFromGetBlock_noBuffersNoIo() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 1).uptodateAt(1, 101).map(2, 102, 1);
    CachedFile f = h.file(12, 3 * K4, gb);
    h.readahead(f, 0, 3);
    assertEquals(List.of("READ[RAHEAD]@800:4096/1", "READ[RAHEAD]@816:4096/1"), h.dev.briefs());
    Folio p1 = h.folio(f, 1);
    assertUptodateUnlocked(p1);
    assertNull(p1.buffers(), "no buffers for one block per page");
    assertEquals(ScriptedGetBlock.fsByte(K4 + 17), p1.rawMemory().get(17));
  }

  @Test
  void scenario14_uptodateBufferInside_bufferPathReadsTheOthers() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).map(0, 500, 2).uptodateAt(2, 502).map(3, 503, 1);
    CachedFile f = h.file(10, K4, gb);
    h.readahead(f, 0, 1);
    assertEquals(List.of("0+4096", "2+2048", "0+1024", "1+1024", "3+1024"), gb.callBriefs());
    assertEquals(
        List.of("READ@1000:1024/1", "READ@1002:1024/1", "READ@1006:1024/1"), h.dev.briefs());
    Folio p0 = h.folio(f, 0);
    assertUptodateUnlocked(p0);
    BufferHead b2 = p0.buffers().thisPage().thisPage();
    assertEquals(502, b2.blocknr());
    assertEquals(ScriptedGetBlock.fsByte(2048 + 5), p0.rawMemory().get(2048 + 5));
    assertDiskData(p0, 3072, 503, 1024);
  }

  @Test
  void scenario15_getBlockError_pageNotUptodate_readFails() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 2).errorAt(1, new IOException("EIO"));
    CachedFile f = h.file(12, 2 * K4, gb);
    h.readahead(f, 0, 2);
    assertEquals(List.of("READ[RAHEAD]@800:4096/1"), h.dev.briefs());
    Folio p1 = h.folio(f, 1);
    assertFalse(p1.isUptodate());
    assertTrue(p1.test(FolioFlag.ERROR));
    assertFalse(p1.isLocked());
    try (OpenFile file = f.open()) {
      assertThrows(IOException.class, () -> file.read(K4, ByteBuffer.allocate(100)));
    }
  }

  @Test
  void scenario16_pageWithBuffers_confusedBeforeGetBlock() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(10).map(0, 500, 4);
    CachedFile f = h.file(10, K4, gb);
    Folio folio = f.mapping().grabFolioLocked(0);
    BufferHead head = BufferLayer.createEmptyBuffers(folio, 1024, Set.of());
    head.set(BhState.UPTODATE);
    head.thisPage().thisPage().set(BhState.UPTODATE);
    h.engine.mpage().mpageReadFolio(folio, gb);
    h.engine.pageCache().put(folio);
    h.dev.awaitIdle();
    assertEquals(List.of("1+1024", "3+1024"), gb.callBriefs());
    assertEquals(List.of("READ@1002:1024/1", "READ@1006:1024/1"), h.dev.briefs());
    assertUptodateUnlocked(folio);
  }

  @Test
  void scenario17_failedBio_onlyItsPagesFail_laterReadRetriesOnePage() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(12, 8 * K4, h.getBlock(12).map(0, 100, 4).map(4, 200, 4));
    h.dev.failWhen(b -> b.op() == BioOp.READ && b.sector() == 800, BlockStatus.IOERR);
    h.readahead(f, 0, 8);
    assertEquals(List.of("READ[RAHEAD]@800:16384/4", "READ[RAHEAD]@1600:16384/4"), h.dev.briefs());
    for (int i = 0; i < 4; i++) {
      Folio folio = h.folio(f, i);
      assertFalse(folio.isUptodate());
      assertTrue(folio.test(FolioFlag.ERROR));
      assertFalse(folio.isLocked());
      assertUptodateUnlocked(h.folio(f, i + 4));
    }
    h.dev.clearFaults();
    h.dev.clearLog();
    try (OpenFile file = f.open()) {
      ByteBuffer buf = ByteBuffer.allocate(K4);
      assertEquals(K4, file.read(K4, buf));
      assertArrayEquals(Harness.diskBlock(101, K4), buf.array());
    }
    assertEquals(List.of("READ@808:4096/1"), h.dev.briefs());
  }

  @Test
  void scenario18_300Pages_bioOf256ThenBioSizedForTheRest() throws Exception {
    Harness h = harness();
    CachedFile f = h.file(12, 300 * K4, h.getBlock(12).map(0, 1000, 300));
    h.readahead(f, 0, 300);
    List<RecordingDevice.Entry> log = h.dev.entries();
    assertEquals(
        List.of("READ[RAHEAD]@8000:1048576/256", "READ[RAHEAD]@10048:180224/44"), h.dev.briefs());
    assertEquals(256, log.get(0).maxVecs());
    assertEquals(44, log.get(1).maxVecs());
  }

  @Test
  void scenario19_windowPastEof_pagesZeroedWithoutIo() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 4);
    CachedFile f = h.file(12, 2 * K4, gb);
    h.readahead(f, 0, 4);
    assertEquals(List.of("0+8192"), gb.callBriefs());
    assertEquals(List.of("READ[RAHEAD]@800:8192/2"), h.dev.briefs());
    for (int i = 2; i < 4; i++) {
      assertUptodateUnlocked(h.folio(f, i));
      assertTrue(Harness.isZero(h.folio(f, i), 0, K4));
    }
  }

  @Test
  void scenario20_bioCrossingDeviceEnd_truncatedAndZeroed() throws Exception {
    Harness h = harness(1002 * 512, Revision.V6_3);
    CachedFile f = h.file(10, K4, h.getBlock(10).map(0, 500, 4));
    h.readahead(f, 0, 1);
    assertEquals(List.of("READ[RAHEAD]@1000:1024/1"), h.dev.briefs());
    Folio p0 = h.folio(f, 0);
    assertUptodateUnlocked(p0);
    assertDiskData(p0, 0, 500, 1024);
    assertTrue(Harness.isZero(p0, 1024, K4));

    CachedFile g = h.file(10, K4, h.getBlock(10).map(0, 501, 4));
    h.dev.clearLog();
    h.readahead(g, 0, 1);
    assertEquals(List.of("READ[RAHEAD]@1002:4096/1"), h.dev.briefs(), "not truncated");
    Folio q0 = h.folio(g, 0);
    assertFalse(q0.isUptodate());
    assertTrue(q0.test(FolioFlag.ERROR));
  }

  @Test
  void scenario21_revision63_ignoresRwPage() throws Exception {
    Harness h = harness();
    h.dev.setOfferRwPage(true);
    CachedFile f = h.file(10, 2 * K4 + 1024, h.getBlock(10).map(0, 100, 12));
    h.readahead(f, 0, 3);
    assertEquals(List.of("READ[RAHEAD]@200:9216/3"), h.dev.briefs());
  }

  private static Folio pageOf(byte value) {
    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(K4));
    for (int i = 0; i < K4; i++) {
      page.rawMemory().put(i, value);
    }
    return page;
  }

  @Test
  void scenario22_cleancacheHit_noIoAndPendingBioSubmitted() throws Exception {
    Harness h = harness(16L << 20, Revision.V5);
    VictimCleancache cc = new VictimCleancache(16);
    h.engine.setCleancache(cc);
    CachedFile f = h.file(12, 3 * K4, h.getBlock(12).map(0, 100, 3));
    cc.putPage(h.dev.name(), f.inode().ino(), 1, pageOf((byte) 0x5A));
    h.readahead(f, 0, 3);
    assertEquals(List.of("READ[RAHEAD]@800:4096/1", "READ[RAHEAD]@816:4096/1"), h.dev.briefs());
    Folio p1 = h.folio(f, 1);
    assertUptodateUnlocked(p1);
    assertEquals((byte) 0x5A, p1.rawMemory().get(100));
    assertEquals(1, h.engine.blockLayer().stats().snapshot().cleancacheHits());
  }

  @Test
  void scenario22_cleancacheNotConsultedForSmallBlocks() throws Exception {
    Harness h = harness(16L << 20, Revision.V5);
    VictimCleancache cc = new VictimCleancache(16);
    h.engine.setCleancache(cc);
    CachedFile f = h.file(10, K4, h.getBlock(10).map(0, 100, 4));
    cc.putPage(h.dev.name(), f.inode().ino(), 0, pageOf((byte) 0x5A));
    h.readahead(f, 0, 1);
    assertEquals(List.of("READ[RAHEAD]@200:4096/1"), h.dev.briefs());
    assertDiskData(h.folio(f, 0), 0, 100, 1024);
  }

  @Test
  void scenario22_revision63_hasNoCleancacheLookup() throws Exception {
    Harness h = harness();
    VictimCleancache cc = new VictimCleancache(16);
    h.engine.setCleancache(cc);
    CachedFile f = h.file(12, 3 * K4, h.getBlock(12).map(0, 100, 3));
    cc.putPage(h.dev.name(), f.inode().ino(), 1, pageOf((byte) 0x5A));
    h.readahead(f, 0, 3);
    assertEquals(List.of("READ[RAHEAD]@800:12288/3"), h.dev.briefs());
  }

  @Test
  void scenario23_readFolioBiosCarryNoReadaheadFlag() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 2);
    CachedFile f = h.file(12, 2 * K4, gb);
    Folio folio = f.mapping().grabFolioLocked(0);
    h.engine.mpage().mpageReadFolio(folio, gb);
    h.engine.pageCache().put(folio);
    h.readahead(f, 1, 1);
    assertEquals(List.of("READ@800:4096/1", "READ[RAHEAD]@808:4096/1"), h.dev.briefs());
  }

  @Test
  void readpages26_pageList_readAsOneBioSkippingCachedPages() throws Exception {
    Harness h = harness();
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 4);
    CachedFile f = h.file(12, 4 * K4, gb);
    h.readahead(f, 2, 1);
    h.dev.clearLog();
    h.engine.mpage().mpageReadpages(f.mapping(), List.of(0L, 1L, 2L, 3L), gb);
    assertEquals(List.of("READ[RAHEAD]@800:8192/2", "READ[RAHEAD]@824:4096/1"), h.dev.briefs());
  }
}
