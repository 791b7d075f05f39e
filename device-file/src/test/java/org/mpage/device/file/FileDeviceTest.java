package org.mpage.device.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.page.Folio;

/** The file device on real files. */
class FileDeviceTest {
  @TempDir Path dir;

  private Path image(long size) throws IOException {
    return ImageFiles.createSparse(dir.resolve("disk-" + System.nanoTime() + ".img"), size);
  }

  /** A page of direct memory aligned to the page, as the page cache's arena hands them out. */
  private static Folio page() {
    ByteBuffer mem =
        ByteBuffer.allocateDirect(2 * Folio.PAGE_SIZE)
            .alignedSlice(Folio.PAGE_SIZE)
            .limit(Folio.PAGE_SIZE)
            .slice();
    return new Folio(null, 0, mem);
  }

  private static CompletableFuture<BlockStatus> submit(BlockDevice dev, Bio bio) {
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    return done;
  }

  private static BlockStatus io(BlockDevice dev, Bio bio) throws Exception {
    return submit(dev, bio).get(30, TimeUnit.SECONDS);
  }

  /** A BIO of {@code pages} whole pages at {@code sector}. */
  private static Bio bio(
      BlockDevice dev, BioOp op, long sector, List<Folio> pages, Set<BioFlag> f) {
    Bio bio = new Bio(dev, op, f, Math.max(1, pages.size()));
    bio.setSector(sector);
    for (Folio p : pages) {
      bio.addFolio(p, Folio.PAGE_SIZE, 0);
    }
    return bio;
  }

  @Test
  void randomBioPatterns_matchAModelFile() throws Exception {
    int size = 8 << 20;
    Path img = image(size);
    byte[] model = new byte[size];
    Random rnd = new Random(7);
    try (FileDevice dev = FileDevice.open(FileDeviceConfig.of("f", img).withQueueDepth(4))) {
      for (int round = 0; round < 300; round++) {
        // Segments: 1..64, each a multiple of 512 at a 512-aligned offset inside its page.
        int nvec = 1 + rnd.nextInt(64);
        List<int[]> segs = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < nvec; i++) {
          int off = rnd.nextInt(8) * 512;
          int len = (1 + rnd.nextInt(8 - off / 512)) * 512;
          segs.add(new int[] {off, len});
          total += len;
        }
        long sector = rnd.nextInt((size - total) / 512);
        BioOp op = rnd.nextBoolean() ? BioOp.WRITE : BioOp.READ;
        Bio bio = new Bio(dev, op, Set.of(), nvec);
        bio.setSector(sector);
        List<Folio> pages = new ArrayList<>();
        for (int[] s : segs) {
          Folio p = page();
          if (op == BioOp.WRITE) {
            for (int i = s[0]; i < s[0] + s[1]; i++) {
              p.rawMemory().put(i, (byte) rnd.nextInt());
            }
          }
          pages.add(p);
          bio.addFolio(p, s[1], s[0]);
        }
        assertEquals(BlockStatus.OK, io(dev, bio));
        long pos = sector * 512;
        for (int i = 0; i < segs.size(); i++) {
          int[] s = segs.get(i);
          for (int j = 0; j < s[1]; j++) {
            if (op == BioOp.WRITE) {
              model[(int) pos + j] = pages.get(i).rawMemory().get(s[0] + j);
            } else {
              assertEquals(
                  model[(int) pos + j], pages.get(i).rawMemory().get(s[0] + j), "read byte");
            }
          }
          pos += s[1];
        }
      }
    }
    assertArrayEquals(model, Files.readAllBytes(img), "the file holds the model");
  }

  @Test
  void multiVecBio_isOneVectoredSystemCall() throws Exception {
    Path img = image(4 << 20);
    List<String> calls = new ArrayList<>();
    ChannelOpener counting = (p, o) -> new CountingChannel(ChannelOpener.DEFAULT.open(p, o), calls);
    try (FileDevice dev =
        FileDevice.open(FileDeviceConfig.of("f", img).withQueueDepth(1), counting)) {
      List<Folio> pages = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        pages.add(page());
        pages.get(i).rawMemory().put(0, (byte) i);
      }
      assertEquals(BlockStatus.OK, io(dev, bio(dev, BioOp.WRITE, 0, pages, Set.of())));
      assertEquals(List.of("writev:256"), CountingChannel.snapshot(calls));
      calls.clear();
      List<Folio> back = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        back.add(page());
      }
      assertEquals(BlockStatus.OK, io(dev, bio(dev, BioOp.READ, 0, back, Set.of())));
      assertEquals(List.of("readv:256"), CountingChannel.snapshot(calls));
      assertEquals((byte) 200, back.get(200).rawMemory().get(0));
    }
  }

  @Test
  void flushFlags_forceInTheRightOrder() throws Exception {
    Path img = image(1 << 20);
    List<String> calls = new ArrayList<>();
    ChannelOpener counting = (p, o) -> new CountingChannel(ChannelOpener.DEFAULT.open(p, o), calls);
    try (FileDevice dev =
        FileDevice.open(FileDeviceConfig.of("f", img).withQueueDepth(1), counting)) {
      io(dev, bio(dev, BioOp.WRITE, 0, List.of(page()), EnumSet.of(BioFlag.PREFLUSH)));
      io(dev, bio(dev, BioOp.WRITE, 8, List.of(page()), EnumSet.of(BioFlag.FUA)));
      io(dev, new Bio(dev, BioOp.FLUSH, Set.of(), 0));
      assertEquals(
          List.of("force", "writev:1", "writev:1", "force", "force"),
          CountingChannel.snapshot(calls));
      assertEquals(1, dev.stats().flushesCompleted());
    }
  }

  @Test
  void bioBeyondTheEnd_failsWithIoError() throws Exception {
    Path img = image(1 << 20);
    try (FileDevice dev = FileDevice.open(FileDeviceConfig.of("f", img))) {
      assertEquals(2048, dev.capacitySectors());
      assertEquals(
          BlockStatus.IOERR, io(dev, bio(dev, BioOp.READ, 2048, List.of(page()), Set.of())));
      assertEquals(
          BlockStatus.IOERR, io(dev, bio(dev, BioOp.WRITE, 2044, List.of(page()), Set.of())));
      assertEquals(BlockStatus.OK, io(dev, bio(dev, BioOp.READ, 2040, List.of(page()), Set.of())));
    }
  }

  @Test
  void readOnly_refusesWrites_andSharesWithOtherReaders() throws Exception {
    Path img = image(1 << 20);
    Files.write(
        img, "hello".getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.WRITE);
    FileDeviceConfig ro = FileDeviceConfig.of("f", img).withReadOnly(true);
    try (FileDevice a = FileDevice.open(ro);
        FileDevice b = FileDevice.open(ro)) {
      Folio p = page();
      assertEquals(BlockStatus.IOERR, io(a, bio(a, BioOp.WRITE, 0, List.of(p), Set.of())));
      assertEquals(BlockStatus.OK, io(b, bio(b, BioOp.READ, 0, List.of(p), Set.of())));
      assertEquals('h', p.rawMemory().get(0));
      assertThrows(ImageInUseException.class, () -> FileDevice.open(FileDeviceConfig.of("w", img)));
    }
    assertEquals('h', Files.readAllBytes(img)[0]);
  }

  @Test
  void secondWriter_inThisProcess_isRefused() throws Exception {
    Path img = image(1 << 20);
    try (FileDevice first = FileDevice.open(FileDeviceConfig.of("a", img))) {
      ImageInUseException e =
          assertThrows(
              ImageInUseException.class, () -> FileDevice.open(FileDeviceConfig.of("b", img)));
      assertTrue(e.getMessage().contains("image in use"), e.getMessage());
      assertThrows(
          ImageInUseException.class,
          () -> FileDevice.open(FileDeviceConfig.of("c", img).withReadOnly(true)));
    }
    FileDevice.open(FileDeviceConfig.of("d", img)).close(); // free again after close
  }

  @Test
  void secondWriter_inAnotherProcess_isRefused() throws Exception {
    Path img = image(1 << 20);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        List.of(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            LockProbe.class.getName(),
            img.toString());
    try (FileDevice first = FileDevice.open(FileDeviceConfig.of("a", img))) {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(3, p.exitValue(), out);
      assertTrue(out.contains("image in use"), out);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  @Test
  void closedDevice_failsBiosWithNoDevice() throws Exception {
    Path img = image(1 << 20);
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("f", img));
    dev.close();
    assertEquals(BlockStatus.NODEV, io(dev, bio(dev, BioOp.READ, 0, List.of(page()), Set.of())));
    dev.close(); // idempotent
  }

  @Test
  void missingImage_isAClearError() {
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class,
            () -> FileDevice.open(FileDeviceConfig.of("f", dir.resolve("nope.img"))));
    assertTrue(e.getMessage().contains("nope.img"), e.getMessage());
  }

  @Test
  void fullHostDisk_failsWritesWithNoSpace() throws Exception {
    Path mnt = Files.createDirectory(dir.resolve("small"));
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString())
            .redirectErrorStream(true)
            .start();
    boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
    Assumptions.assumeTrue(mounted, "needs permission to mount a small tmpfs");
    try {
      Path img = ImageFiles.createSparse(mnt.resolve("big.img"), 4 << 20);
      try (FileDevice dev = FileDevice.open(FileDeviceConfig.of("f", img))) {
        List<BlockStatus> statuses = new ArrayList<>();
        List<Folio> pages = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          pages.add(page());
        }
        for (long sector = 0; sector < 8192; sector += 512) {
          statuses.add(io(dev, bio(dev, BioOp.WRITE, sector, pages, Set.of())));
        }
        assertEquals(BlockStatus.OK, statuses.get(0));
        assertTrue(statuses.contains(BlockStatus.NOSPC), statuses.toString());
        assertTrue(!statuses.contains(BlockStatus.IOERR), statuses.toString());
      }
    } finally {
      new ProcessBuilder("umount", mnt.toString()).start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void direct_worksOrIsRefusedClearly() throws Exception {
    Path img = image(1 << 20);
    FileDeviceConfig cfg = FileDeviceConfig.of("f", img).withDirect(true);
    FileDevice dev;
    try {
      dev = FileDevice.open(cfg);
    } catch (IOException e) {
      assertTrue(e.getMessage().contains("direct I/O"), e.getMessage());
      return;
    }
    try (dev) {
      assertTrue(dev.logicalBlockSize() >= 512);
      Folio p = page();
      p.rawMemory().put(0, (byte) 77);
      assertEquals(BlockStatus.OK, io(dev, bio(dev, BioOp.WRITE, 0, List.of(page(), p), Set.of())));
      Folio back = page();
      assertEquals(BlockStatus.OK, io(dev, bio(dev, BioOp.READ, 8, List.of(back), Set.of())));
      assertEquals(77, back.rawMemory().get(0));
      Bio unaligned = new Bio(dev, BioOp.READ, Set.of(), 1);
      unaligned.setSector(0);
      unaligned.addFolio(page(), 256, 0);
      assertEquals(BlockStatus.IOERR, io(dev, unaligned), "misaligned direct I/O fails cleanly");
    }
  }

  @Test
  void statistics_countLikeDiskstats() throws Exception {
    Path img = image(1 << 20);
    try (FileDevice dev = FileDevice.open(FileDeviceConfig.of("f", img))) {
      io(dev, bio(dev, BioOp.WRITE, 0, List.of(page(), page()), Set.of()));
      io(dev, bio(dev, BioOp.READ, 0, List.of(page()), Set.of()));
      DiskStats s = dev.stats();
      assertEquals(1, s.writesCompleted());
      assertEquals(16, s.sectorsWritten());
      assertEquals(1, s.readsCompleted());
      assertEquals(8, s.sectorsRead());
      assertEquals(0, s.inFlight());
      assertTrue(s.format("f").startsWith("f 1 0 8 "));
    }
  }

  @Test
  void serviceLoader_findsTheFileDevice() throws Exception {
    Path img = image(1 << 20);
    BlockDeviceProvider provider =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.type().equals("file"))
            .findFirst()
            .orElseThrow();
    try (BlockDevice dev =
        provider.open("sl", Map.of("path", img.toString(), "queue.depth", "2"))) {
      assertEquals(2048, dev.capacitySectors());
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> provider.open("x", Map.of()));
    assertTrue(e.getMessage().contains("path"));
    assertThrows(
        IllegalArgumentException.class,
        () -> provider.open("x", Map.of("path", img.toString(), "read.only", "maybe")));
  }

  @Test
  void sparseImage_hasItsSizeButNoBlocks() throws Exception {
    Path img = image(64L << 20);
    assertEquals(64L << 20, Files.size(img));
    Object blocks = Files.getAttribute(img, "unix:size");
    assertEquals(64L << 20, ((Number) blocks).longValue());
    assertThrows(
        IllegalArgumentException.class, () -> ImageFiles.createSparse(dir.resolve("x"), 1000));
  }

  @Test
  void component_opensFromItsConfiguration() throws Exception {
    Path img = image(1 << 20);
    FileDeviceComponent c =
        new FileDeviceComponent(new FileDeviceConfig("comp", img, false, false, 2));
    try {
      assertEquals("comp", c.name());
      assertEquals(BlockStatus.OK, io(c, bio(c, BioOp.READ, 0, List.of(page()), Set.of())));
    } finally {
      c.deactivate();
    }
    assertThrows(
        IllegalArgumentException.class, () -> new FileDeviceConfig("c", img, false, false, 0));
  }
}
