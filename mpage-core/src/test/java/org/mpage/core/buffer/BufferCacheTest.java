package org.mpage.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BufferHead;
import org.mpage.core.testing.DeviceIo;
import org.mpage.core.testing.Harness;

/** The metadata cache over a block device: read, dirty, sync, errors. */
class BufferCacheTest {
  private Harness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void bread_readsOnce_thenServesFromCache() throws Exception {
    h = new Harness(1 << 20);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 1024);
    BufferHead bh = bc.bread(7);
    assertArrayEquals(Harness.diskBlock(7, 1024), toArray(bh));
    bh.put();
    bc.bread(7).put();
    assertEquals(List.of("READ@14:1024/1"), h.dev.briefs());
  }

  @Test
  void getIntLE_readsInPlaceWhatALittleEndianViewReads() throws Exception {
    h = new Harness(1 << 20);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 1024);
    BufferHead bh = bc.bread(5); // the second 1 KiB buffer of its page: offsetInFolio is 1024
    java.nio.ByteBuffer view = bh.data().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int off = 0; off <= 1020; off += 4) {
      assertEquals(view.getInt(off), bh.getIntLE(off), "offset " + off);
    }
    org.junit.jupiter.api.Assertions.assertThrows(
        IndexOutOfBoundsException.class, () -> bh.getIntLE(1021), "not past the buffer's end");
    bh.put();
  }

  @Test
  void markDirtyAndSync_writesOnlyDirtyBlocks() throws Exception {
    h = new Harness(1 << 20);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 1024);
    BufferHead a = bc.bread(8);
    BufferHead b = bc.bread(9);
    a.data().put(0, (byte) 0x42);
    bc.markBufferDirty(a);
    h.dev.clearLog();
    assertEquals(0, bc.sync());
    assertEquals(List.of("WRITE[SYNC]@16:1024/1"), h.dev.briefs());
    assertFalse(a.isDirty());
    assertEquals(0x42, DeviceIo.read(h.disk, 8 * 1024, 1024)[0]);
    a.put();
    b.put();
  }

  @Test
  void blockOutsideTheDevice_isAClearError() throws Exception {
    h = new Harness(1 << 20);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 4096);
    BlockIOException e = assertThrows(BlockIOException.class, () -> bc.bread(256));
    assertTrue(e.getMessage().contains("rd0"), e.getMessage());
    assertThrows(BlockIOException.class, () -> bc.bread(-1));
  }

  @Test
  void readError_isReported_andTheBufferStaysUnread() throws Exception {
    h = new Harness(1 << 20);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 1024);
    h.dev.failWhen(b -> b.op() == BioOp.READ, BlockStatus.IOERR);
    assertThrows(BlockIOException.class, () -> bc.bread(3));
    h.dev.clearFaults();
    BufferHead bh = bc.bread(3);
    assertArrayEquals(Harness.diskBlock(3, 1024), toArray(bh));
    bh.put();
  }

  @Test
  void syncWriteError_isReturned() throws Exception {
    h = new Harness(1 << 20);
    BufferCache bc = h.engine.bufferLayer().bufferCache(h.dev, 1024);
    BufferHead a = bc.bread(8);
    bc.markBufferDirty(a);
    a.put();
    h.dev.failWhen(b -> b.op() == BioOp.WRITE, BlockStatus.IOERR);
    assertEquals(5, bc.sync());
  }

  private static byte[] toArray(BufferHead bh) {
    byte[] out = new byte[bh.size()];
    bh.data().get(out);
    return out;
  }
}
