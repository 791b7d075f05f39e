package org.mpage.core.mpage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.core.file.CachedFile;
import org.mpage.core.testing.Harness;
import org.mpage.core.testing.ScriptedGetBlock;

/** The write scenarios on the RAM disk, which also offers the 5.x rw_page path. */
class MpageWriteScenariosTest extends AbstractMpageWriteScenarios {
  @Override
  protected Harness.Backing backing() {
    return Harness.RAMDISK;
  }

  @Test
  void scenario40_rwPageWrite_synchronousNoBio_buffersCleanedWhileLocked() throws Exception {
    Harness h = harness(Revision.V5);
    h.dev.setOfferRwPage(true);
    ScriptedGetBlock gb = h.getBlock(12);
    CachedFile f = h.file(12, K4, gb);
    Folio folio = withBuffers(f, 0, K4, new long[] {100}, new boolean[] {true});
    writeAll(f, gb);
    assertEquals(List.of("RWPAGE_WRITE@800"), h.dev.briefs());
    Set<FolioFlag> during = h.dev.entries().get(0).folioStates().get(0);
    assertTrue(during.contains(FolioFlag.LOCKED) && during.contains(FolioFlag.WRITEBACK));
    assertFalse(folio.buffers().isDirty());
    assertClean(folio);
    assertOnDisk(100, K4, 0, 0, 1);
  }

  @Test
  void scenario40_rwPageFailure_fallsBackToBio() throws Exception {
    Harness h = harness(Revision.V5);
    h.dev.setOfferRwPage(true);
    h.dev.setFailRwPage(true);
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 1);
    CachedFile f = h.file(12, K4, gb);
    Folio folio = h.dirty(f, 0, 1);
    writeAll(f, gb);
    assertEquals(List.of("RWPAGE_WRITE@800", "WRITE@800:4096/1"), h.dev.briefs());
    assertClean(folio);
    assertOnDisk(100, K4, 0, 0, 1);
  }
}
