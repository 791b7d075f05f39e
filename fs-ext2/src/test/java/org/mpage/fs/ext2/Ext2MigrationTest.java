package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MigrationInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.page.Folio;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.file.ImageFiles;
import org.mpage.device.ramdisk.RamDisk;
import org.mpage.vfs.mount.MountTable;

/**
 * Live migration of a mounted ext2 through the mount table (issue 18 part 2): two writers create
 * and fsync files and two readers check every byte of what was fsynced while the device moves from
 * one file device to another, or to a RAM disk; the writes made during the copy are on the target
 * (e2fsck clean, every file equal through a fresh mount) and the source is not written after the
 * switch. A target that fails midway, a cancel and the identity check leave the source in use and
 * intact; a target too small is refused at once. {@code -Dmigrate.seed=N} reruns a seed.
 */
public class Ext2MigrationTest {
  private static final long SEED = Long.getLong("migrate.seed", 20261129L);

  @TempDir Path work;
  private MpageEngine engine;
  private MountTable table;

  @BeforeEach
  void setUp() {
    System.out.println("Ext2MigrationTest seed " + SEED + " (-Dmigrate.seed=N to rerun)");
    engine = new MpageEngine(MpageEngine.Config.defaults().withCacheLimit(4096, 1024));
    table = new MountTable(engine, 20_000);
    table.typeAdded(new Ext2FileSystemType());
  }

  @AfterEach
  void tearDown() {
    table.close();
    engine.close();
  }

  /** A target that waits {@code delayMillis} before each write: a slower, remote-like device. */
  private static final class Slow extends ForwardingBlockDevice {
    private final BlockDevice lower;
    private final long delayMillis;

    Slow(BlockDevice lower, long delayMillis) {
      this.lower = lower;
      this.delayMillis = delayMillis;
    }

    @Override
    protected BlockDevice delegate() {
      return lower;
    }

    @Override
    public void submit(Bio bio) {
      if (bio.op() == BioOp.WRITE) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      lower.submit(bio);
    }
  }

  /** A target whose writes fail with IOERR after {@code good} write BIOs (a disk going bad). */
  private static final class FailingAfter extends ForwardingBlockDevice {
    private final BlockDevice lower;
    private final AtomicInteger good;

    FailingAfter(BlockDevice lower, int good) {
      this.lower = lower;
      this.good = new AtomicInteger(good);
    }

    @Override
    protected BlockDevice delegate() {
      return lower;
    }

    @Override
    public void submit(Bio bio) {
      if (bio.op() == BioOp.WRITE && good.decrementAndGet() < 0) {
        bio.endio(BlockStatus.IOERR);
        return;
      }
      lower.submit(bio);
    }
  }

  /** The load: writers creating and fsyncing files, readers checking every acknowledged byte. */
  private static final class Load implements AutoCloseable {
    final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    final Set<String> duringCopy = ConcurrentHashMap.newKeySet();
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean copying = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final List<Future<?>> tasks = new ArrayList<>();

    Load(FileSystem fs, long seed) {
      for (int w = 0; w < 2; w++) {
        Random random = new Random(seed * 31 + w);
        String prefix = "/w" + w + "-";
        tasks.add(pool.submit(() -> write(fs, random, prefix)));
      }
      for (int r = 0; r < 2; r++) {
        Random random = new Random(seed * 37 + r);
        tasks.add(pool.submit(() -> read(fs, random)));
      }
    }

    private Void write(FileSystem fs, Random random, String prefix) throws IOException {
      for (int n = 0; !stop.get(); n++) {
        String path = prefix + n;
        byte[] data = new byte[1 + random.nextInt(96 * 1024)];
        random.nextBytes(data);
        boolean during = copying.get();
        try (FileHandle f = fs.openWrite(path, true, true, 0644)) {
          int pieces = 1 + random.nextInt(4);
          int step = (data.length + pieces - 1) / pieces;
          for (int at = 0; at < data.length; at += step) {
            f.write(at, ByteBuffer.wrap(data, at, Math.min(step, data.length - at)));
          }
          f.fsync();
        }
        acknowledged.put(path, data);
        if (during || copying.get()) {
          duringCopy.add(path); // written, or fsynced, while the copy ran
        }
      }
      return null;
    }

    private Void read(FileSystem fs, Random random) throws IOException {
      while (!stop.get()) {
        List<String> paths = new ArrayList<>(acknowledged.keySet());
        Collections.shuffle(paths, random);
        for (String path : paths) {
          // Acknowledged files are never written again: they must read back exactly.
          if (!java.util.Arrays.equals(acknowledged.get(path), Ext2ReadTest.readAll(fs, path))) {
            problems.add("wrong bytes in " + path);
          }
        }
        Thread.onSpinWait();
      }
      return null;
    }

    @Override
    public void close() throws Exception {
      stop.set(true);
      try {
        for (Future<?> t : tasks) {
          t.get(120, TimeUnit.SECONDS); // a hang or a failed write fails here
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** Waits (bounded) for the migration of {@code device} to end, printing its progress. */
  private MigrationInfo awaitEnd(String device) throws Exception {
    return awaitEnd(table, device);
  }

  private static MigrationInfo awaitEnd(MountTable table, String device) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    MigrationInfo info;
    do {
      Thread.sleep(20);
      info = table.migrations().stream().filter(m -> m.device().equals(device)).findFirst().get();
      assertTrue(System.nanoTime() < deadline, "migration did not end within 120 s: " + info);
    } while (!info.state().isFinal());
    System.out.println("  " + info);
    return info;
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (FileChannel ch = FileChannel.open(file)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      while (ch.read(buf) > 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Copies a device's bytes to a file, for e2fsck and a fresh mount. */
  static Path dump(BlockDevice dev, Path file) throws Exception {
    ByteBuffer mem = ByteBuffer.allocateDirect(Bio.MAX_VECS * Folio.PAGE_SIZE);
    long sectors = dev.capacitySectors();
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long s = 0; s < sectors; ) {
        int n = (int) Math.min(Bio.MAX_VECS * 8L, sectors - s);
        Bio bio = new Bio(dev, BioOp.READ, Set.of(), Bio.MAX_VECS);
        bio.setSector(s);
        int bytes = n * 512;
        for (int i = 0; bytes > 0; i++) {
          int len = Math.min(bytes, Folio.PAGE_SIZE);
          bio.addFolio(new Folio(null, i, mem.slice(i * Folio.PAGE_SIZE, Folio.PAGE_SIZE)), len, 0);
          bytes -= len;
        }
        CompletableFuture<BlockStatus> done = new CompletableFuture<>();
        bio.setEndIo(b -> done.complete(b.status()));
        dev.submit(bio);
        assertEquals(BlockStatus.OK, done.get(30, TimeUnit.SECONDS));
        out.write(mem.slice(0, n * 512), s * 512);
        s += n;
      }
    }
    return file;
  }

  private static void assertFiles(Path image, Map<String, byte[]> files) throws Exception {
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        assertArrayEquals(e.getValue(), Ext2ReadTest.readAll(m.fs, e.getKey()), e.getKey());
      }
    }
  }

  private void migrateUnderLoad(Path source, BlockDevice target, long seed) throws Exception {
    migrateUnderLoad(
        table,
        work,
        FileDevice.open(FileDeviceConfig.of("disk0", source)),
        source,
        target,
        target instanceof FileDevice ? work.resolve("target.img") : null,
        seed);
  }

  /**
   * Mounts ext2 from {@code from} (whose bytes are the file {@code source}) on {@code table},
   * migrates it to {@code target} under {@link Load} and checks: no wrong byte read, files fsynced
   * during the copy, the source not written after the switch, the target ({@code targetFile}, or a
   * dump of it when null) e2fsck-clean and holding every acknowledged file. Also used by
   * device-nbd's migrations to and from an NBD device.
   */
  public static void migrateUnderLoad(
      MountTable table,
      Path work,
      BlockDevice from,
      Path source,
      BlockDevice target,
      Path targetFile,
      long seed)
      throws Exception {
    String device = from.name();
    table.deviceAdded(from, 0);
    table.deviceAdded(target, 0);
    FileSystem fs = table.mount("ext2", device, MountOptions.defaultsReadWrite());
    Load load = new Load(fs, seed);
    String sourceAfterSwitch;
    try (load) {
      while (load.acknowledged.size() < 20) {
        Thread.sleep(5);
      }
      load.copying.set(true);
      MigrationInfo started = table.migrate(device, target.name());
      assertEquals(MigrationInfo.State.COPYING, started.state());
      MigrationInfo end = awaitEnd(table, device);
      load.copying.set(false);
      assertEquals(MigrationInfo.State.DONE, end.state(), end.reason());
      assertTrue(end.copiedBytes() >= end.totalBytes(), end.toString());
      sourceAfterSwitch = sha256(source);
      int acknowledgedAtSwitch = load.acknowledged.size();
      while (load.acknowledged.size() < acknowledgedAtSwitch + 20) {
        Thread.sleep(5); // writes after the switch: they must reach the target only
      }
    }
    assertEquals(List.of(), load.problems);
    assertFalse(load.duringCopy.isEmpty(), "files were fsynced while the copy ran");
    System.out.println(
        "  files acknowledged "
            + load.acknowledged.size()
            + ", during the copy "
            + load.duringCopy.size());
    table.unmount(device);
    assertEquals(sourceAfterSwitch, sha256(source), "the source was written after the switch");
    Path targetImage =
        targetFile != null ? targetFile : dump(target, work.resolve("target-dump.img"));
    target.close();
    from.close();
    assertFiles(targetImage, load.acknowledged);
  }

  @Test
  void migrateUnderLoad_fileToFile() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "64M", null, "-b", "4096");
    // One MiB larger than the source: the filesystem keeps its size.
    Path target = ImageFiles.createSparse(work.resolve("target.img"), 65L << 20);
    migrateUnderLoad(source, FileDevice.open(FileDeviceConfig.of("disk1", target)), SEED);
  }

  @Test
  void migrateUnderLoad_fileToRamDisk() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "64M", null, "-b", "1024");
    migrateUnderLoad(source, new RamDisk("ram1", 64L << 20), SEED + 1);
  }

  @Test
  void targetFailingMidway_abortsWithTheReason_sourceKeptAndIntact() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "64M", null, "-b", "4096");
    FileDevice from = FileDevice.open(FileDeviceConfig.of("disk0", source));
    table.deviceAdded(from, 0);
    table.deviceAdded(new FailingAfter(new RamDisk("bad1", 64L << 20), 20), 0);
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    Load load = new Load(fs, SEED + 2);
    try (load) {
      table.migrate("disk0", "bad1");
      MigrationInfo end = awaitEnd("disk0");
      assertEquals(MigrationInfo.State.FAILED, end.state());
      assertTrue(end.reason().startsWith("target bad1: write of "), end.reason());
      assertTrue(end.reason().endsWith(": IOERR"), end.reason());
      int acknowledged = load.acknowledged.size();
      while (load.acknowledged.size() < acknowledged + 20) {
        Thread.sleep(5); // the mount goes on, on the source
      }
    }
    assertEquals(List.of(), load.problems);
    // The name is free again: another migration may claim it (and fail the same way).
    table.migrate("disk0", "bad1"); // (it may have failed already when this returns)
    assertEquals(MigrationInfo.State.FAILED, awaitEnd("disk0").state());
    table.unmount("disk0");
    from.close();
    assertFiles(source, load.acknowledged);
  }

  @Test
  void cancelMidway_sourceStaysInUse_nothingSwitched() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "64M", null, "-b", "4096");
    FileDevice from = FileDevice.open(FileDeviceConfig.of("disk0", source));
    table.deviceAdded(from, 0);
    table.deviceAdded(new Slow(new RamDisk("slow1", 64L << 20), 20), 0);
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    Load load = new Load(fs, SEED + 3);
    try (load) {
      table.migrate("disk0", "slow1");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (table.migrations().get(0).copiedBytes() < (4 << 20)) {
        assertTrue(System.nanoTime() < deadline, "no progress");
        Thread.sleep(5);
      }
      MigrationInfo cancelled = table.cancelMigration("disk0");
      assertEquals(MigrationInfo.State.CANCELLED, cancelled.state());
      assertEquals("cancelled", cancelled.reason());
      assertTrue(cancelled.copiedBytes() < cancelled.totalBytes(), cancelled.toString());
      int acknowledged = load.acknowledged.size();
      while (load.acknowledged.size() < acknowledged + 20) {
        Thread.sleep(5);
      }
    }
    assertEquals(List.of(), load.problems);
    long written = from.stats().sectorsWritten();
    byte[] after = new byte[100_000];
    new Random(SEED).nextBytes(after);
    try (FileHandle f = fs.openWrite("/after-cancel", true, true, 0644)) {
      f.write(0, ByteBuffer.wrap(after));
      f.fsync();
    }
    load.acknowledged.put("/after-cancel", after);
    assertTrue(
        from.stats().sectorsWritten() >= written + after.length / 512,
        "the source is still the one written");
    table.unmount("disk0");
    from.close();
    assertFiles(source, load.acknowledged);
  }

  @Test
  void targetSmallerThanTheDevice_isRefusedAtOnce() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "16M", null, "-b", "1024");
    table.deviceAdded(FileDevice.open(FileDeviceConfig.of("disk0", source)), 0);
    table.deviceAdded(new RamDisk("small", 15L << 20), 0);
    table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    IOException e = assertThrows(IOException.class, () -> table.migrate("disk0", "small"));
    assertEquals("small: 30720 sectors, smaller than disk0's 32768", e.getMessage());
    assertEquals(List.of(), table.migrations());
    IOException unknown = assertThrows(IOException.class, () -> table.migrate("disk0", "nope"));
    assertEquals("no block device named nope", unknown.getMessage());
    IOException self = assertThrows(IOException.class, () -> table.migrate("disk0", "disk0"));
    assertEquals("disk0: in use as the backend of disk0", self.getMessage());
    IOException notMounted = assertThrows(IOException.class, () -> table.migrate("small", "x"));
    assertEquals("small: not mounted", notMounted.getMessage());
  }

  @Test
  void aTargetShowingAnotherIdentity_isNotSwitchedTo() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "16M", null, "-b", "1024");
    FileDevice from = FileDevice.open(FileDeviceConfig.of("disk0", source));
    table.deviceAdded(from, 0);
    // Reads of the superblock's sectors come back as zeros: no ext2 UUID to match.
    RamDisk ram = new RamDisk("liar", 16L << 20);
    BlockDevice liar =
        new ForwardingBlockDevice() {
          @Override
          protected BlockDevice delegate() {
            return ram;
          }

          @Override
          public void submit(Bio bio) {
            if (bio.op() == BioOp.READ && bio.sector() <= 2 && bio.sector() + bio.sectors() > 2) {
              bio.vecs()
                  .forEach(v -> v.folio().zero(v.offsetInFolio(), v.offsetInFolio() + v.length()));
              bio.endio(BlockStatus.OK);
              return;
            }
            ram.submit(bio);
          }
        };
    table.deviceAdded(liar, 0);
    FileSystem fs = table.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    table.migrate("disk0", "liar");
    MigrationInfo end = awaitEnd("disk0");
    assertEquals(MigrationInfo.State.FAILED, end.state());
    assertEquals("target liar refused: not the filesystem disk0 is mounted from", end.reason());
    fs.mkdir("/after", 0755);
    fs.sync();
    table.unmount("disk0");
    from.close();
    Ext2RandomOpsTest.fsck(source);
    assertTrue(E2fs.debugfs(source, false, "ls -l /").contains("after"));
  }
}
