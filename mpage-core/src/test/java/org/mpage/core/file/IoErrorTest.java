package org.mpage.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.api.page.WritebackException;
import org.mpage.core.testing.Harness;
import org.mpage.core.testing.ScriptedGetBlock;

/** Device failures reach readers and fsync as errors, and leave no page locked or lost. */
class IoErrorTest {
  private Harness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void read_deviceError_isAnIOExceptionAndRetriesLater() throws Exception {
    h = new Harness(4 << 20);
    CachedFile f = h.file(12, 8 * 4096, h.getBlock(12).map(0, 100, 8));
    h.dev.failWhen(b -> b.op() == BioOp.READ, BlockStatus.IOERR);
    try (OpenFile file = f.open()) {
      assertThrows(BlockIOException.class, () -> file.read(0, ByteBuffer.allocate(4096)));
      for (int i = 0; i < 8; i++) {
        Folio folio = h.folio(f, i);
        assertTrue(folio == null || !folio.isLocked(), "no page left locked");
      }
      h.dev.clearFaults();
      ByteBuffer buf = ByteBuffer.allocate(4096);
      assertEquals(4096, file.read(4096, buf));
      assertEquals(Harness.diskBlock(101, 4096)[7], buf.get(7));
    }
  }

  @Test
  void write_deviceError_keepsDataInCacheAndFailsFsync() throws Exception {
    h = new Harness(4 << 20);
    ScriptedGetBlock gb = h.getBlock(12).map(0, 100, 4);
    CachedFile f = h.file(12, 0, gb);
    try (OpenFile file = f.open()) {
      file.write(0, ByteBuffer.wrap(new byte[4096 * 2]).put(0, (byte) 9));
      h.dev.failWhen(b -> b.op() == BioOp.WRITE, BlockStatus.NODEV);
      WritebackException e = assertThrows(WritebackException.class, file::fsync);
      assertEquals(19, e.errno());
      ByteBuffer buf = ByteBuffer.allocate(1);
      assertEquals(1, file.read(0, buf));
      assertEquals(9, buf.get(0), "the cached copy is still readable");
      assertFalse(h.folio(f, 0).isWriteback());
    }
  }

  @Test
  void deviceThatThrowsFromSubmit_completesTheBioWithAnError() throws Exception {
    h = new Harness(4 << 20);
    BlockDevice broken =
        new BlockDevice() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public long capacitySectors() {
            return 1 << 20;
          }

          @Override
          public void submit(Bio bio) {
            throw new IllegalStateException("backend bug");
          }
        };
    ScriptedGetBlock gb = new ScriptedGetBlock(broken, 12).map(0, 100, 4);
    CachedFile f = h.file(12, 4 * 4096, gb);
    try (OpenFile file = f.open()) {
      assertThrows(IOException.class, () -> file.read(0, ByteBuffer.allocate(10)));
      assertFalse(h.folio(f, 0).isLocked());
    }
  }
}
