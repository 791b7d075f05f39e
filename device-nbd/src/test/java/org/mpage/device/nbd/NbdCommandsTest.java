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
 * ranges with hole chunks, which must zero the memory) and without (simple replies carry zeros);
 * WRITE_ZEROES and TRIM where the export offers them, NOTSUPP where it does not; a BIO larger than
 * the server's announced maximum payload split into requests it accepts.
 */
class NbdCommandsTest {
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

  @org.junit.jupiter.api.Test
  void discardAndWriteZeroes_areSentWhenOffered() throws Exception {
    Path img = NbdServer.sparse(dir.resolve("z.img"), 4 << 20);
    byte[] data = new byte[64 << 10];
    new Random(2).nextBytes(data);
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(data), 0);
    }
    try (NbdServer server = NbdServer.qemuNbdUnix(dir, img, "raw");
        NbdDevice dev = NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri()))) {
      assertEquals(true, dev.offers(Nbd.TF_SEND_WRITE_ZEROES) && dev.offers(Nbd.TF_SEND_TRIM));
      assertEquals(BlockStatus.OK, dev.writeZeroes(8, 16, true).get(10, TimeUnit.SECONDS));
      assertEquals(BlockStatus.OK, dev.discard(64, 8).get(10, TimeUnit.SECONDS));
      assertEquals(
          BlockStatus.IOERR, dev.discard(dev.capacitySectors(), 8).get(10, TimeUnit.SECONDS));
    }
    byte[] after = java.nio.file.Files.readAllBytes(img);
    byte[] expect = Arrays.copyOf(data, data.length);
    Arrays.fill(expect, 8 * 512, 24 * 512, (byte) 0);
    assertArrayEquals(
        Arrays.copyOfRange(expect, 0, 64 * 512), Arrays.copyOfRange(after, 0, 64 * 512));
    assertArrayEquals(
        Arrays.copyOfRange(expect, 72 * 512, expect.length),
        Arrays.copyOfRange(after, 72 * 512, expect.length),
        "only the discarded range may change");
  }

  @org.junit.jupiter.api.Test
  void discard_isNotSupportedWhereNotOffered() throws Exception {
    try (FakeServer server = new FakeServer(FakeServer.Go.UNSUPPORTED, 1);
        NbdDevice dev = NbdDevice.open(NbdDeviceConfig.of("fake", server.uri()))) {
      assertEquals(BlockStatus.NOTSUPP, dev.discard(0, 8).get(10, TimeUnit.SECONDS));
      assertEquals(BlockStatus.NOTSUPP, dev.writeZeroes(0, 8, false).get(10, TimeUnit.SECONDS));
    }
  }

  @org.junit.jupiter.api.Test
  void serversMaximumPayload_splitsABioIntoRequestsItAccepts() throws Exception {
    // nbdkit announces a 64 KiB maximum and fails any larger request.
    try (NbdServer server =
            NbdServer.nbdkit(
                dir,
                "--filter=blocksize-policy",
                "memory",
                "16M",
                "blocksize-minimum=512",
                "blocksize-preferred=4096",
                "blocksize-maximum=65536",
                "blocksize-error-policy=error");
        NbdDevice dev = NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri()))) {
      assertEquals(65536, dev.chunkBytes());
      byte[] data = new byte[Bio.MAX_VECS * Folio.PAGE_SIZE];
      new Random(4).nextBytes(data);
      Folio[] pages = new Folio[Bio.MAX_VECS];
      Bio write = new Bio(dev, BioOp.WRITE, Set.of(), pages.length);
      write.setSector(8);
      for (int i = 0; i < pages.length; i++) {
        pages[i] = new Folio(null, i, ByteBuffer.allocateDirect(Folio.PAGE_SIZE));
        pages[i].rawMemory().put(0, data, i * Folio.PAGE_SIZE, Folio.PAGE_SIZE);
        write.addFolio(pages[i], Folio.PAGE_SIZE, 0);
      }
      CompletableFuture<BlockStatus> written = new CompletableFuture<>();
      write.setEndIo(b -> written.complete(b.status()));
      dev.submit(write);
      assertEquals(BlockStatus.OK, written.get(10, TimeUnit.SECONDS));
      Bio read = new Bio(dev, BioOp.READ, Set.of(), pages.length);
      read.setSector(8);
      for (Folio p : pages) {
        p.rawMemory().put(0, new byte[Folio.PAGE_SIZE]);
        read.addFolio(p, Folio.PAGE_SIZE, 0);
      }
      CompletableFuture<BlockStatus> done = new CompletableFuture<>();
      read.setEndIo(b -> done.complete(b.status()));
      dev.submit(read);
      assertEquals(BlockStatus.OK, done.get(10, TimeUnit.SECONDS));
      byte[] got = new byte[data.length];
      for (int i = 0; i < pages.length; i++) {
        pages[i].rawMemory().get(0, got, i * Folio.PAGE_SIZE, Folio.PAGE_SIZE);
      }
      assertArrayEquals(data, got);
    }
  }
}
