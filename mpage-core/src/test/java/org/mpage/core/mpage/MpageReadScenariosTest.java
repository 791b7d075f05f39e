package org.mpage.core.mpage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpage.core.file.CachedFile;
import org.mpage.core.testing.Harness;

/** The read scenarios on the RAM disk, which also offers the 5.x rw_page path. */
class MpageReadScenariosTest extends AbstractMpageReadScenarios {
  @Override
  protected Harness.Backing backing() {
    return Harness.RAMDISK;
  }

  @Test
  void scenario21_rwPage_fullyMappedPagesNeedNoBio() throws Exception {
    Harness h = harness(16L << 20, Revision.V5);
    h.dev.setOfferRwPage(true);
    CachedFile f = h.file(10, 2 * K4 + 1024, h.getBlock(10).map(0, 100, 12));
    h.readahead(f, 0, 3);
    assertEquals(
        List.of("RWPAGE_READ@200", "RWPAGE_READ@208", "READ[RAHEAD]@216:1024/1"), h.dev.briefs());
    assertDiskData(h.folio(f, 1), 0, 104, 1024);
    assertUptodateUnlocked(h.folio(f, 1));
  }
}
