package org.mpage.bench;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.file.ImageFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The file device against a plain FileChannel loop on the same 1 GiB image, in one run: sequential
 * read and write in 1 MiB units (BIOs of 256 pages against 1 MiB positional calls), and 65536
 * random 4 KiB reads. One I/O at a time on both sides. The image lives in {@code bench.dir}
 * (default: the temp directory).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class FileDeviceBenchmark {
  static final long SIZE = 1L << 30;
  static final int UNIT = 1 << 20;
  static final int RANDOM_READS = 65536;

  private Path image;
  private FileDevice device;
  private final Folio[][] pipelinePages = new Folio[4][];
  private static final CompletableFuture<BlockStatus> DONE =
      CompletableFuture.completedFuture(BlockStatus.OK);
  private FileChannel channel;
  private final ByteBuffer memory =
      ByteBuffer.allocateDirect(UNIT + 4096).alignedSlice(4096).limit(UNIT).slice();
  private final Folio[] pages = new Folio[UNIT / 4096];
  private long[] randomOffsets;

  @Setup(Level.Trial)
  public void setup() throws Exception {
    Path dir = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
    image = ImageFiles.createSparse(dir.resolve("mpage-bench-" + System.nanoTime() + ".img"), SIZE);
    for (int i = 0; i < memory.capacity(); i++) {
      memory.put(i, (byte) (i * 7));
    }
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      for (long pos = 0; pos < SIZE; pos += UNIT) {
        ch.write(memory.duplicate().clear(), pos);
      }
    }
    for (int i = 0; i < pages.length; i++) {
      pages[i] = new Folio(null, i, memory.slice(i * 4096, 4096));
    }
    device = FileDevice.open(FileDeviceConfig.of("bench", image).withQueueDepth(4));
    for (int k = 0; k < 4; k++) {
      ByteBuffer m = ByteBuffer.allocateDirect(UNIT + 4096).alignedSlice(4096).limit(UNIT).slice();
      pipelinePages[k] = new Folio[UNIT / 4096];
      for (int i = 0; i < pipelinePages[k].length; i++) {
        pipelinePages[k][i] = new Folio(null, i, m.slice(i * 4096, 4096));
      }
    }
    channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
    SplittableRandom rnd = new SplittableRandom(1);
    randomOffsets = new long[RANDOM_READS];
    for (int i = 0; i < RANDOM_READS; i++) {
      randomOffsets[i] = rnd.nextLong(SIZE / 4096) * 4096;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    device.close();
    channel.close();
    Files.deleteIfExists(image);
  }

  private void bio(BioOp op, long byteOffset, int nPages) throws Exception {
    Bio bio = new Bio(device, op, Set.of(), nPages);
    bio.setSector(byteOffset / 512);
    for (int i = 0; i < nPages; i++) {
      bio.addFolio(pages[i], 4096, 0);
    }
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    device.submit(bio);
    if (!done.get().isOk()) {
      throw new IllegalStateException(op + " failed at " + byteOffset);
    }
  }

  /**
   * Up to four 1 MiB BIOs in flight (the device has four workers), as the engine's asynchronous
   * readahead and writeback use it.
   */
  private long pipelined(BioOp op) throws Exception {
    List<CompletableFuture<BlockStatus>> inFlight =
        new ArrayList<>(List.of(DONE, DONE, DONE, DONE));
    int k = 0;
    for (long pos = 0; pos < SIZE; pos += UNIT, k = (k + 1) % 4) {
      if (!inFlight.get(k).get().isOk()) {
        throw new IllegalStateException(op + " failed");
      }
      Bio bio = new Bio(device, op, Set.of(), pipelinePages[k].length);
      bio.setSector(pos / 512);
      for (Folio f : pipelinePages[k]) {
        bio.addFolio(f, 4096, 0);
      }
      CompletableFuture<BlockStatus> done = new CompletableFuture<>();
      bio.setEndIo(b -> done.complete(b.status()));
      inFlight.set(k, done);
      device.submit(bio);
    }
    for (CompletableFuture<BlockStatus> f : inFlight) {
      if (!f.get().isOk()) {
        throw new IllegalStateException(op + " failed");
      }
    }
    return memory.get(5);
  }

  @Benchmark
  public long deviceQd4SequentialRead() throws Exception {
    return pipelined(BioOp.READ);
  }

  @Benchmark
  public long deviceQd4SequentialWrite() throws Exception {
    return pipelined(BioOp.WRITE);
  }

  @Benchmark
  public long deviceSequentialRead() throws Exception {
    for (long pos = 0; pos < SIZE; pos += UNIT) {
      bio(BioOp.READ, pos, pages.length);
    }
    return memory.get(5);
  }

  @Benchmark
  public long channelSequentialRead() throws Exception {
    for (long pos = 0; pos < SIZE; pos += UNIT) {
      ByteBuffer b = memory.duplicate().clear();
      while (b.hasRemaining()) {
        channel.read(b, pos + b.position());
      }
    }
    return memory.get(5);
  }

  @Benchmark
  public long deviceSequentialWrite() throws Exception {
    for (long pos = 0; pos < SIZE; pos += UNIT) {
      bio(BioOp.WRITE, pos, pages.length);
    }
    return memory.get(5);
  }

  @Benchmark
  public long channelSequentialWrite() throws Exception {
    for (long pos = 0; pos < SIZE; pos += UNIT) {
      ByteBuffer b = memory.duplicate().clear();
      while (b.hasRemaining()) {
        channel.write(b, pos + b.position());
      }
    }
    return memory.get(5);
  }

  @Benchmark
  public long deviceRandom4kRead() throws Exception {
    for (long off : randomOffsets) {
      bio(BioOp.READ, off, 1);
    }
    return memory.get(5);
  }

  @Benchmark
  public long channelRandom4kRead() throws Exception {
    ByteBuffer b = memory.slice(0, 4096);
    for (long off : randomOffsets) {
      b.clear();
      while (b.hasRemaining()) {
        channel.read(b, off + b.position());
      }
    }
    return memory.get(5);
  }
}
