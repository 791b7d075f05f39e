package org.mpage.device.logwrites;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.device.logwrites.WriteLog.MarkKind;
import org.mpage.device.logwrites.WriteLog.Replay;
import org.mpage.device.ramdisk.RamDisk;

class LogWritesDeviceTest {
  @TempDir Path work;

  /** A lower device that keeps BIOs until the test completes them, in any order. */
  static final class Deferred implements BlockDevice {
    final byte[] disk = new byte[64 * 512];
    final Deque<Bio> pending = new ArrayDeque<>();

    @Override
    public String name() {
      return "deferred";
    }

    @Override
    public long capacitySectors() {
      return 64;
    }

    @Override
    public void submit(Bio bio) {
      pending.add(bio);
    }

    /** Completes the oldest pending BIO whose op is {@code op}. */
    void complete(BioOp op) {
      Bio bio = pending.stream().filter(b -> b.op() == op).findFirst().orElseThrow();
      pending.remove(bio);
      int pos = (int) bio.sector() * 512;
      for (BioVec v : bio.segments()) {
        if (op == BioOp.WRITE) {
          v.buffer().get(disk, pos, v.length());
        }
        pos += v.length();
      }
      bio.endio(BlockStatus.OK);
    }
  }

  private static Bio bio(BlockDevice dev, BioOp op, long sector, int fill, BioFlag... flags) {
    Bio bio =
        new Bio(dev, op, flags.length == 0 ? Set.of() : Set.of(flags), op == BioOp.FLUSH ? 0 : 1);
    bio.setSector(sector);
    if (op != BioOp.FLUSH) {
      ByteBuffer page = ByteBuffer.allocate(4096);
      Arrays.fill(page.array(), (byte) fill);
      bio.addFolio(new Folio(null, 0, page), 512, 0);
    }
    return bio;
  }

  private static byte at(Path image, long sector) throws Exception {
    return Files.readAllBytes(image)[(int) sector * 512];
  }

  @Test
  void aFlushCoversOnlyWritesCompletedBeforeItWasIssued() throws Exception {
    Deferred lower = new Deferred();
    LogWritesDevice dev = new LogWritesDevice("lw", lower, true);
    dev.submit(bio(dev, BioOp.WRITE, 0, 1)); // A
    dev.submit(bio(dev, BioOp.WRITE, 1, 2)); // B
    lower.complete(BioOp.WRITE); // A completes
    dev.submit(bio(dev, BioOp.FLUSH, 0, 0)); // flush issued: covers A
    lower.complete(BioOp.WRITE); // B completes while the flush runs
    dev.submit(bio(dev, BioOp.WRITE, 2, 3, BioFlag.FUA)); // C, FUA
    lower.complete(BioOp.WRITE); // C completes: durable by itself
    lower.complete(BioOp.FLUSH);
    WriteLog log = dev.log();
    assertEquals(3, log.writes().size());
    assertEquals(
        List.of(MarkKind.FUA, MarkKind.FLUSH), log.marks().stream().map(m -> m.kind()).toList());
    WriteLog.Mark flush = log.marks().get(1);
    assertEquals(1, flush.durablePrefix());
    assertEquals(3, flush.writesBefore());
    Path durable = Files.write(work.resolve("d.img"), new byte[64 * 512]);
    log.replay(1, Replay.DURABLE, durable);
    assertEquals(1, at(durable, 0));
    assertEquals(0, at(durable, 1), "B completed after the flush was issued: not durable");
    assertEquals(3, at(durable, 2), "C was FUA");
    Path all = Files.write(work.resolve("a.img"), new byte[64 * 512]);
    log.replay(1, Replay.COMPLETED, all);
    assertEquals(2, at(all, 1));
    Path fuaOnly = Files.write(work.resolve("f.img"), new byte[64 * 512]);
    log.replay(0, Replay.DURABLE, fuaOnly);
    assertEquals(0, at(fuaOnly, 0), "A is not durable before the flush completes");
    assertEquals(3, at(fuaOnly, 2));
  }

  @Test
  void preflushMarksWhatCompletedBeforeTheWriteWasIssued() throws Exception {
    Deferred lower = new Deferred();
    LogWritesDevice dev = new LogWritesDevice("lw", lower, true);
    dev.submit(bio(dev, BioOp.WRITE, 0, 1));
    lower.complete(BioOp.WRITE);
    dev.submit(bio(dev, BioOp.WRITE, 1, 2, BioFlag.PREFLUSH));
    lower.complete(BioOp.WRITE);
    WriteLog.Mark m = dev.log().marks().get(0);
    assertEquals(MarkKind.PREFLUSH, m.kind());
    assertEquals(1, m.durablePrefix());
    assertEquals(1, m.writesBefore(), "the preflush finished before its write");
    assertEquals(2, dev.writeCount());
  }

  @Test
  void replayIntoARamDisk_andThroughASavedLogFile_andIncrementally() throws Exception {
    RamDisk ram = new RamDisk("ram", 1 << 20);
    LogWritesDevice dev = new LogWritesDevice("lw", ram, true);
    for (int i = 0; i < 10; i++) {
      Bio w = bio(dev, BioOp.WRITE, i % 4, 10 + i);
      w.setEndIo(b -> {});
      dev.submit(w);
      if (i % 3 == 2) {
        Bio f = bio(dev, BioOp.FLUSH, 0, 0);
        f.setEndIo(b -> {});
        dev.submit(f);
      }
    }
    dev.mark("end");
    Path file = work.resolve("log");
    dev.log().save(file);
    WriteLog log = WriteLog.load(file);
    assertEquals(dev.log().marks(), log.marks());
    assertEquals(4, log.marks().size());
    assertEquals(3, log.durabilityMarks().size());
    RamDisk copy = new RamDisk("copy", 1 << 20);
    log.replay(2, Replay.DURABLE, copy); // writes 0..8: sectors 0..3 last hold 18, 15, 16, 17
    Path img = Files.write(work.resolve("r.img"), new byte[1 << 20]);
    log.replay(2, Replay.DURABLE, img);
    Path base = Files.write(work.resolve("base.img"), new byte[1 << 20]);
    Path inc = work.resolve("inc.img");
    try (WriteLog.Replayer r = log.replayer(base)) {
      r.mark(0, Replay.DURABLE, inc);
      assertEquals(12, at(inc, 2));
      r.mark(2, Replay.DURABLE, inc);
      assertArrayEquals(Files.readAllBytes(img), Files.readAllBytes(inc));
      r.writes(10, inc);
      assertEquals(19, at(inc, 1));
    }
    byte[] expected = {18, 15, 16, 17};
    for (int s = 0; s < 4; s++) {
      ByteBuffer page = ByteBuffer.allocate(4096);
      Bio read = new Bio(copy, BioOp.READ, Set.of(), 1);
      read.setSector(s);
      read.addFolio(new Folio(null, 0, page), 512, 0);
      copy.submit(read);
      assertEquals(expected[s], page.get(0), "sector " + s);
      assertEquals(expected[s], at(img, s));
    }
  }

  @Test
  void readsPassThrough_andFailedWritesAreNotLogged() {
    RamDisk ram = new RamDisk("ram", 4096);
    LogWritesDevice dev = new LogWritesDevice("lw", ram, true);
    Bio beyond = bio(dev, BioOp.WRITE, 100, 1);
    beyond.setEndIo(b -> {});
    dev.submit(beyond);
    assertEquals(BlockStatus.IOERR, beyond.status());
    Bio read = bio(dev, BioOp.READ, 0, 0);
    read.setEndIo(b -> {});
    dev.submit(read);
    assertEquals(BlockStatus.OK, read.status());
    assertEquals(0, dev.writeCount());
    assertEquals("lw", dev.name());
    assertEquals(8, dev.capacitySectors());
  }

  @Test
  void componentAndProvider() throws Exception {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    LogWritesComponent c = new LogWritesComponent("lw0", ram);
    assertEquals("lw0", c.name());
    assertEquals(ram.capacitySectors(), c.capacitySectors());
    assertThrows(IllegalArgumentException.class, () -> new LogWritesComponent("ram0", ram));
    assertThrows(IllegalArgumentException.class, () -> new LogWritesComponent(" ", ram));
    LogWritesProvider p = new LogWritesProvider();
    assertEquals("logwrites", p.type());
    assertEquals("org.mpage.device.logwrites", p.factoryPid());
    assertThrows(IllegalArgumentException.class, () -> p.open("x", Map.of()));
    try (BlockDevice d = p.open("lw1", Map.of("lower.type", "ramdisk", "lower.size", "1M"))) {
      assertEquals("lw1", d.name());
      assertEquals(2048, d.capacitySectors());
    }
  }
}
