package org.mpage.core.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** lib/errseq.c semantics. */
class ErrseqTest {
  @Test
  void eachObserverSeesEachErrorOnce() {
    Errseq e = new Errseq();
    int[] a = {e.sample()};
    int[] b = {e.sample()};
    e.set(5);
    assertEquals(5, e.checkAndAdvance(a));
    assertEquals(0, e.checkAndAdvance(a));
    int[] c = {e.sample()};
    assertEquals(0, e.checkAndAdvance(c), "opened after the error was seen");
    assertEquals(5, e.checkAndAdvance(b));
    e.set(28);
    assertEquals(28, e.checkAndAdvance(c));
    assertEquals(28, e.checkAndAdvance(a));
  }

  @Test
  void unseenError_isReportedToAnObserverOpenedAfterIt() {
    Errseq e = new Errseq();
    e.set(5);
    int[] late = {e.sample()};
    assertEquals(5, e.checkAndAdvance(late));
  }

  @Test
  void repeatedUnseenErrors_doNotBumpTheCounter() {
    Errseq e = new Errseq();
    int[] a = {e.sample()};
    e.set(5);
    e.set(5);
    assertEquals(5, e.checkAndAdvance(a));
    assertEquals(0, e.checkAndAdvance(a));
  }
}
