package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;

/**
 * Reads of data and holes, with structured replies (qemu-nbd answers a sparse file's unallocated
 * ranges with hole chunks, which must zero the memory) and without (simple replies carry zeros).
 */
class NbdStructuredRepliesTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "structured replies {0}")
  @ValueSource(booleans = {true, false})
  void dataAndHoles_readBackExactly(boolean structured) throws Exception {
    Path img = NbdServer.sparse(dir.resolve("disk.img"), 4 << 20);
    byte[] data = new byte[8192];
    new Random(1).nextBytes(data);
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(data), 1 << 20); // data at 1 MiB, holes around it
    }
    try (NbdServer server = NbdServer.qemuNbdUnix(dir, img, "raw");
        NbdDevice dev =
            NbdDevice.open(
                NbdDeviceConfig.of("nbd0", server.uri()).withStructuredReplies(structured))) {
      assertEquals(structured, dev.structuredReplies());
      // 64 KiB from 1 MiB - 16 KiB: a hole, the data, a hole; memory full of 0x55 before.
      Folio[] pages = new Folio[16];
      Bio bio = new Bio(dev, BioOp.READ, Set.of(), pages.length);
      bio.setSector(((1 << 20) - 16384) / 512);
      for (int i = 0; i < pages.length; i++) {
        ByteBuffer mem = ByteBuffer.allocateDirect(Folio.PAGE_SIZE);
        while (mem.hasRemaining()) {
          mem.put((byte) 0x55);
        }
        pages[i] = new Folio(null, i, mem.clear());
        bio.addFolio(pages[i], Folio.PAGE_SIZE, 0);
      }
      CompletableFuture<BlockStatus> done = new CompletableFuture<>();
      bio.setEndIo(b -> done.complete(b.status()));
      dev.submit(bio);
      assertEquals(BlockStatus.OK, done.get(10, TimeUnit.SECONDS));
      byte[] expect = new byte[16 * Folio.PAGE_SIZE];
      System.arraycopy(data, 0, expect, 16384, data.length);
      byte[] got = new byte[expect.length];
      for (int i = 0; i < pages.length; i++) {
        pages[i].rawMemory().get(0, got, i * Folio.PAGE_SIZE, Folio.PAGE_SIZE);
      }
      assertArrayEquals(expect, got, "first difference at " + firstDifference(expect, got));
    }
  }

  private static int firstDifference(byte[] a, byte[] b) {
    return Arrays.mismatch(a, b);
  }
}
