package org.mpage.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.testing.Harness;

/** Ordered metadata writes: a block that waits for another reaches the disk after it. */
class BufferCacheOrderTest {
  private Harness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private BufferCache cache() throws Exception {
    h = new Harness(1 << 20);
    return h.engine.bufferLayer().bufferCache(h.dev, 1024);
  }

  private static void dirty(BufferCache bc, long block, int value) throws Exception {
    BufferHead bh = bc.bread(block);
    bh.data().put(0, (byte) value);
    bc.markBufferDirty(bh);
    bh.put();
  }

  @Test
  void withoutOrder_syncWritesInBlockOrder() throws Exception {
    BufferCache bc = cache();
    dirty(bc, 8, 1);
    dirty(bc, 40, 2);
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(List.of("WRITE[SYNC]@16:1024/1", "WRITE[SYNC]@80:1024/1"), h.dev.briefs());
  }

  @Test
  void aBlockThatWaits_goesInALaterRound_afterAFlush() throws Exception {
    BufferCache bc = cache();
    dirty(bc, 40, 2); // say an inode table block
    bc.orderBefore(40, 8); // the directory block naming it waits for it
    dirty(bc, 8, 1);
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(
        List.of("WRITE[SYNC]@80:1024/1", "FLUSH@0:0/0", "WRITE[SYNC]@16:1024/1"), h.dev.briefs());
    assertFalse(bc.isHeld(8), "the order is forgotten once kept");
  }

  @Test
  void chains_takeOneRoundPerLink() throws Exception {
    BufferCache bc = cache();
    dirty(bc, 60, 3);
    bc.orderBefore(60, 40);
    dirty(bc, 40, 2);
    bc.orderBefore(40, 8);
    dirty(bc, 8, 1);
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(
        List.of(
            "WRITE[SYNC]@120:1024/1",
            "FLUSH@0:0/0",
            "WRITE[SYNC]@80:1024/1",
            "FLUSH@0:0/0",
            "WRITE[SYNC]@16:1024/1"),
        h.dev.briefs());
  }

  @Test
  void backgroundWriteback_leavesWaitingBlocksForTheSync() throws Exception {
    BufferCache bc = cache();
    dirty(bc, 40, 2);
    bc.orderBefore(40, 8);
    dirty(bc, 8, 1);
    dirty(bc, 100, 5); // not ordered: background writeback writes it, and 40, not 8
    h.dev.clearLog();
    bc.mapping().ops().writepages(bc.mapping(), WritebackControl.background(1024));
    h.engine.blockLayer().flushPlug();
    org.mpage.core.writeback.WriteCachePages.waitRange(
        bc.mapping(), h.engine.blockLayer(), 0, Long.MAX_VALUE);
    assertEquals(List.of("WRITE@80:1024/1", "WRITE@200:1024/1"), h.dev.briefs());
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(List.of("FLUSH@0:0/0", "WRITE[SYNC]@16:1024/1"), h.dev.briefs());
  }

  @Test
  void anOrderClosingACycle_writesTheWaitingSideFirst() throws Exception {
    BufferCache bc = cache();
    dirty(bc, 40, 2); // an inode table block holding a new inode
    bc.orderBefore(40, 8); // the directory block naming it waits
    dirty(bc, 8, 1);
    h.dev.clearLog();
    // An unlink in the same directory block frees an inode of the same table block: the table
    // block must now wait for the directory block, which waits for it. Before the change, the
    // table block (with all it waits for: nothing) is written and flushed.
    bc.orderBefore(8, 40);
    assertEquals(List.of("WRITE[SYNC]@80:1024/1", "FLUSH@0:0/0"), h.dev.briefs());
    dirty(bc, 40, 3);
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(
        List.of("WRITE[SYNC]@16:1024/1", "FLUSH@0:0/0", "WRITE[SYNC]@80:1024/1"), h.dev.briefs());
  }

  @Test
  void aFailedRound_keepsTheWaitingBlocksDirty_forTheNextSync() throws Exception {
    BufferCache bc = cache();
    dirty(bc, 40, 2);
    bc.orderBefore(40, 8);
    dirty(bc, 8, 1);
    h.dev.failWhen(b -> b.op() == BioOp.WRITE, BlockStatus.IOERR);
    assertEquals(5, bc.sync());
    assertTrue(bc.isHeld(8), "still waiting: the block it waits for was not written");
    h.dev.clearFaults();
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(
        List.of("WRITE[SYNC]@80:1024/1", "FLUSH@0:0/0", "WRITE[SYNC]@16:1024/1"), h.dev.briefs());
  }
}
