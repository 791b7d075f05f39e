package org.mpage.bench;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.core.MpageEngine;
import org.mpage.core.block.IoStats;
import org.mpage.core.file.CachedFile;
import org.mpage.core.file.OpenFile;
import org.mpage.core.file.SimpleInode;
import org.mpage.device.ramdisk.RamDisk;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sequential read of a 256 MiB file from a RAM disk through the page cache with readahead: once
 * through mpage, once through the buffer path alone, and the device read directly in 1 MiB BIOs as
 * the baseline (the most any path can do). The page cache is dropped before each read. The
 * auxiliary counter {@code biosPerMiB} is the number of read BIOs per MiB read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-XX:MaxDirectMemorySize=2g"})
public class ReadaheadBenchmark {
  static final long FILE_BYTES = 256L << 20;
  static final long PHYS_START = 1024; // in file blocks

  @Param({"4096", "1024"})
  public int blockSize;

  private RamDisk disk;
  private MpageEngine engine;
  private CachedFile viaMpage;
  private CachedFile viaBuffers;
  private final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);

  /** Read BIOs per MiB of the last operation. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bios {
    public double biosPerMiB;
  }

  @Setup(Level.Trial)
  public void setup() throws Exception {
    int bits = Integer.numberOfTrailingZeros(blockSize);
    disk = new RamDisk("bench", FILE_BYTES + PHYS_START * blockSize + (1 << 20));
    writePattern(disk, PHYS_START * blockSize, FILE_BYTES);
    engine =
        new MpageEngine(
            MpageEngine.Config.defaults()
                .withCacheLimit(1 << 17, 1 << 14)
                .withFlusher(false, 1000, 1000));
    // The file is one contiguous extent, like a freshly written file on an empty filesystem.
    viaMpage =
        engine
            .files()
            .file(
                "m",
                new SimpleInode(1, bits, FILE_BYTES),
                Extent.getBlock(disk, PHYS_START),
                "bench");
    viaBuffers =
        engine
            .files()
            .bufferPathFile(
                "b",
                new SimpleInode(2, bits, FILE_BYTES),
                Extent.getBlock(disk, PHYS_START),
                "bench");
  }

  IoStats.Snapshot stats() {
    return engine.blockLayer().stats().snapshot();
  }

  @Setup(Level.Invocation)
  public void dropCaches() {
    viaMpage.mapping().truncatePages(0);
    viaBuffers.mapping().truncatePages(0);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
    disk.close();
  }

  private long readAll(CachedFile file, Bios bios) throws Exception {
    IoStats.Snapshot before = engine.blockLayer().stats().snapshot();
    long sum = 0;
    try (OpenFile f = file.open()) {
      for (long pos = 0; pos < FILE_BYTES; pos += chunk.capacity()) {
        chunk.clear();
        f.read(pos, chunk);
        sum += chunk.get(17);
      }
    }
    IoStats.Snapshot d = engine.blockLayer().stats().snapshot().minus(before);
    bios.biosPerMiB = d.readBios() / (double) (FILE_BYTES >> 20);
    return sum;
  }

  @Benchmark
  public long mpage(Bios bios) throws Exception {
    return readAll(viaMpage, bios);
  }

  @Benchmark
  public long bufferPath(Bios bios) throws Exception {
    return readAll(viaBuffers, bios);
  }

  /** The device alone: 1 MiB BIOs straight to the RAM disk, the ceiling for both paths. */
  @Benchmark
  public long rawDevice(Bios bios) throws Exception {
    Folio[] pages = new Folio[256];
    for (int i = 0; i < pages.length; i++) {
      pages[i] = new Folio(null, i, chunk.slice(i * 4096, 4096));
    }
    long sum = 0;
    long sector = PHYS_START * blockSize / 512;
    for (long pos = 0; pos < FILE_BYTES; pos += 1 << 20) {
      Bio bio = new Bio(disk, BioOp.READ, Set.of(), 256);
      bio.setSector(sector + pos / 512);
      for (Folio p : pages) {
        bio.addFolio(p, 4096, 0);
      }
      submitAndWait(disk, bio);
      sum += chunk.get(17);
    }
    bios.biosPerMiB = 1;
    return sum;
  }

  private static void submitAndWait(BlockDevice dev, Bio bio) throws Exception {
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    if (!done.get().isOk()) {
      throw new IllegalStateException("read failed");
    }
  }

  private static void writePattern(RamDisk disk, long offset, long length) throws Exception {
    ByteBuffer mem = ByteBuffer.allocateDirect(1 << 20);
    for (int i = 0; i < mem.capacity(); i++) {
      mem.put(i, (byte) (i * 31 + 7));
    }
    Folio[] pages = new Folio[256];
    for (int i = 0; i < pages.length; i++) {
      pages[i] = new Folio(null, i, mem.slice(i * 4096, 4096));
    }
    for (long pos = 0; pos < length; pos += 1 << 20) {
      Bio bio = new Bio(disk, BioOp.WRITE, Set.of(), 256);
      bio.setSector((offset + pos) / 512);
      for (Folio p : pages) {
        bio.addFolio(p, 4096, 0);
      }
      submitAndWait(disk, bio);
    }
  }
}
