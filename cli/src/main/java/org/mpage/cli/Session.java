package org.mpage.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.block.StackedDeviceProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.api.page.Folio;

/**
 * One image opened for a command: the device (file, RAM disk or NBD export), an engine and the
 * mounted filesystem, all found through {@link ServiceLoader}. Closing unmounts and releases
 * everything. Public for the bench harness, which mounts images exactly as the command line does.
 */
public final class Session implements AutoCloseable {
  final Path image;
  final BlockDevice device;
  final StorageEngine engine;
  final FileSystem fs;

  public FileSystem fileSystem() {
    return fs;
  }

  public StorageEngine engine() {
    return engine;
  }

  /**
   * The image's own device (file or RAM disk) when fault targets are stacked on it ({@code
   * --fault}), else {@link #device} itself: closed after the targets, and what a RAM disk copy is
   * written back from, past the faults.
   */
  private final BlockDevice base;

  /** For a RAM disk copy mounted read-write: the image the changes go back to on close. */
  private final Path writeBackTo;

  /**
   * For a RAM disk copy: the image opened as a file device and kept open for the whole session,
   * only for its lock (exclusive for a writer, shared for a reader), so that two writers of one
   * image exclude each other whichever device each uses.
   */
  private final BlockDevice imageLock;

  private Session(
      Path image,
      BlockDevice device,
      StorageEngine engine,
      FileSystem fs,
      BlockDevice base,
      Path writeBackTo,
      BlockDevice imageLock) {
    this.image = image;
    this.device = device;
    this.base = base;
    this.engine = engine;
    this.fs = fs;
    this.writeBackTo = writeBackTo;
    this.imageLock = imageLock;
  }

  static Session open(Path image, String deviceType, boolean readOnly) throws IOException {
    return open(image, deviceType, readOnly, Map.of());
  }

  /**
   * A fault-injection target of {@code --fault TYPE:KEY=VALUE,...}: a device of a stacked type
   * ({@link StackedDeviceProvider}), found through {@link ServiceLoader} like the image's device.
   */
  record Fault(String type, Map<String, String> options) {}

  /**
   * With extra engine options (a BIO trace, the data path, cache sizes); {@code deviceType} is
   * {@code file} or {@code ramdisk}.
   */
  public static Session open(
      Path image, String deviceType, boolean readOnly, Map<String, String> engineOptions)
      throws IOException {
    return open(image, deviceType, readOnly, engineOptions, List.of(), Map.of());
  }

  /**
   * As above, with fault targets stacked on the image's device in order (the first on the device,
   * each next on the one before), the filesystem mounted on the last with {@code mountOptions}
   * (key=value, e.g. ext2's csum=ignore).
   */
  static Session open(
      Path image,
      String deviceType,
      boolean readOnly,
      Map<String, String> engineOptions,
      List<Fault> faults,
      Map<String, String> mountOptions)
      throws IOException {
    return open(Image.of(image), deviceType, readOnly, engineOptions, faults, mountOptions);
  }

  /**
   * As above for an IMAGE argument: an image file, or an NBD URI, whose export is opened by the
   * provider of type {@code nbd} (a RAM disk copy is refused there).
   */
  static Session open(
      Image source,
      String deviceType,
      boolean readOnly,
      Map<String, String> engineOptions,
      List<Fault> faults,
      Map<String, String> mountOptions)
      throws IOException {
    if (source.isNbd()) {
      if (deviceType.equals("ramdisk")) {
        throw new IOException("--device ramdisk copies an image file, not an NBD export");
      }
      return mount(
          null, openNbd(source, readOnly), null, engineOptions, faults, mountOptions, readOnly);
    }
    Path image = source.file();
    if (!Files.exists(image)) {
      throw new NoSuchFileException(image.toString(), null, "no such image file");
    }
    if (Files.isDirectory(image)) {
      throw new java.nio.file.FileSystemException(image.toString(), null, "is a directory");
    }
    boolean ram = deviceType.equals("ramdisk");
    Map<String, String> options = new HashMap<>(engineOptions);
    options.putIfAbsent("read_ahead_kb", "1024");
    options.putIfAbsent("cache.pages", "16384");
    // The engine first: a RAM disk copy is loaded through its block layer, counted and traced.
    StorageEngine engine = provider(StorageEngineFactory.class).create(options);
    BlockDevice imageLock = null;
    BlockDevice base = null;
    BlockDevice device = null;
    try {
      imageLock = ram ? openFile(image, readOnly) : null;
      base = ram ? loadIntoRamDisk(engine, image, imageLock) : openFile(image, readOnly);
      device = stack(base, faults);
      FileSystemType type =
          ServiceLoader.load(FileSystemType.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(t -> t.name().equals("ext2"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no ext2 filesystem type on the class path"));
      FileSystem fs = type.mount(device, engine, new MountOptions(readOnly, mountOptions));
      return new Session(
          image, device, engine, fs, base, ram && !readOnly ? image : null, imageLock);
    } catch (IOException | RuntimeException e) {
      engine.close();
      if (device != null && device != base) {
        device.close();
      }
      if (base != null) {
        base.close();
      }
      if (imageLock != null) {
        imageLock.close();
      }
      throw e;
    }
  }

  /**
   * Mounts ext2 on an already open device (an NBD export), with fault targets stacked on it; the
   * device is closed if the mount fails.
   */
  private static Session mount(
      Path image,
      BlockDevice base,
      Path writeBackTo,
      Map<String, String> engineOptions,
      List<Fault> faults,
      Map<String, String> mountOptions,
      boolean readOnly)
      throws IOException {
    Map<String, String> options = new HashMap<>(engineOptions);
    options.putIfAbsent("read_ahead_kb", "1024");
    options.putIfAbsent("cache.pages", "16384");
    StorageEngine engine = provider(StorageEngineFactory.class).create(options);
    BlockDevice device = null;
    try {
      device = stack(base, faults);
      FileSystem fs = ext2().mount(device, engine, new MountOptions(readOnly, mountOptions));
      return new Session(image, device, engine, fs, base, writeBackTo, null);
    } catch (IOException | RuntimeException e) {
      engine.close();
      if (device != null && device != base) {
        device.close();
      }
      base.close();
      throw e;
    }
  }

  /** The export of an NBD URI, through the {@code nbd} device provider. */
  static BlockDevice openNbd(Image image, boolean readOnly) throws IOException {
    Map<String, String> options = new HashMap<>();
    options.put("uri", image.text());
    options.put("read.only", Boolean.toString(readOnly));
    try {
      return deviceProvider("nbd").open("nbd", options);
    } catch (IllegalArgumentException e) {
      // A malformed URI: the provider's message names it first; the error line does already.
      String m = String.valueOf(e.getMessage());
      throw new IOException(
          m.startsWith(image.text() + ": ") ? m.substring(image.text().length() + 2) : m, e);
    }
  }

  /** The fault targets stacked on {@code base}; {@code base} itself without any. */
  private static BlockDevice stack(BlockDevice base, List<Fault> faults) throws IOException {
    BlockDevice top = base;
    for (int i = 0; i < faults.size(); i++) {
      Fault f = faults.get(i);
      if (!(deviceProvider(f.type()) instanceof StackedDeviceProvider p)) {
        throw new IOException("--fault " + f.type() + ": not a fault target (flakey, dust, delay)");
      }
      try {
        top = p.stack(f.type() + i, top, f.options());
      } catch (IllegalArgumentException e) {
        throw new IOException("--fault " + e.getMessage(), e);
      }
    }
    return top;
  }

  static FileSystemType ext2() {
    return ServiceLoader.load(FileSystemType.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(t -> t.name().equals("ext2"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no ext2 filesystem type on the class path"));
  }

  /** What {@link #mkfs} leaves for {@code --stats}: the engine's counters and the closed device. */
  record Formatted(Map<String, Long> engineStats, BlockDevice device) {}

  /**
   * Formats an image file (created or replaced, sparse, {@code size} bytes) or the first {@code
   * size} bytes of an NBD export as ext2.
   */
  static Formatted mkfs(Image image, long size, int blockSize, Map<String, String> engineOptions)
      throws IOException {
    if (!image.isNbd()) {
      return mkfs(image.file(), size, blockSize, engineOptions);
    }
    BlockDevice export = openNbd(image, false);
    long capacity = export.capacitySectors() * BlockDevice.SECTOR_SIZE;
    if (size > capacity) {
      export.close();
      throw new IOException("the export holds " + capacity + " bytes, less than " + size);
    }
    BlockDevice dev =
        new ForwardingBlockDevice() {
          @Override
          protected BlockDevice delegate() {
            return export;
          }

          @Override
          public long capacitySectors() {
            return size / BlockDevice.SECTOR_SIZE;
          }
        };
    Map<String, String> options = new HashMap<>(engineOptions);
    options.put("cache.pages", "16384");
    options.put("dirty.pages", "4096");
    Map<String, Long> stats;
    try (dev;
        StorageEngine engine = provider(StorageEngineFactory.class).create(options)) {
      ext2().format(dev, engine, Map.of("block.size", Integer.toString(blockSize)));
      stats = engine.statistics();
    }
    return new Formatted(stats, dev);
  }

  /** Creates (or replaces) a sparse image of {@code size} bytes and formats it as ext2. */
  static Formatted mkfs(Path image, long size, int blockSize, Map<String, String> engineOptions)
      throws IOException {
    return mkfs(image, size, Map.of("block.size", Integer.toString(blockSize)), engineOptions);
  }

  /** As above, with the filesystem type's format options (block.size, uuid, label, ...). */
  static Formatted mkfs(
      Path image, long size, Map<String, String> formatOptions, Map<String, String> engineOptions)
      throws IOException {
    Files.deleteIfExists(image);
    try (FileChannel ch =
        FileChannel.open(
            image,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.SPARSE)) {
      ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
    }
    Map<String, String> options = new HashMap<>(engineOptions);
    options.put("cache.pages", "16384");
    options.put("dirty.pages", "4096");
    BlockDevice dev = openFile(image, false);
    Map<String, Long> stats;
    try (dev;
        StorageEngine engine = provider(StorageEngineFactory.class).create(options)) {
      ext2().format(dev, engine, formatOptions);
      stats = engine.statistics();
    }
    return new Formatted(stats, dev);
  }

  static BlockDevice openFile(Path image, boolean readOnly) throws IOException {
    Map<String, String> options = new HashMap<>();
    options.put("path", image.toString());
    options.put("read.only", Boolean.toString(readOnly));
    return deviceProvider("file").open("image", options);
  }

  /**
   * A RAM disk holding a copy of the image, read through the image's own (locked) file device: a
   * second descriptor on the file, once closed, would drop the process's lock on it (POSIX record
   * locks belong to the process and file, not to the descriptor).
   */
  private static BlockDevice loadIntoRamDisk(StorageEngine engine, Path image, BlockDevice file)
      throws IOException {
    long size = Files.size(image) / 512 * 512;
    BlockDevice rd =
        deviceProvider("ramdisk").open("ram0", Map.of("size", Long.toString(Math.max(512, size))));
    try {
      copy(engine, file, rd, size);
    } catch (IOException | RuntimeException e) {
      rd.close();
      throw e;
    }
    return rd;
  }

  /**
   * Copies the first {@code size} bytes of one device to another in 1 MiB BIOs, each waited for
   * through the engine's block layer.
   */
  private static void copy(StorageEngine engine, BlockDevice from, BlockDevice to, long size)
      throws IOException {
    ByteBuffer mem = ByteBuffer.allocateDirect(1 << 20);
    Folio[] pages = new Folio[256];
    for (int i = 0; i < pages.length; i++) {
      pages[i] = new Folio(null, i, mem.slice(i * 4096, 4096));
    }
    for (long pos = 0; pos < size; pos += mem.capacity()) {
      int n = (int) Math.min(mem.capacity(), size - pos);
      transfer(engine, from, BioOp.READ, pages, pos, n);
      transfer(engine, to, BioOp.WRITE, pages, pos, n);
    }
  }

  private static void transfer(
      StorageEngine engine, BlockDevice dev, BioOp op, Folio[] pages, long pos, int n)
      throws IOException {
    Bio bio = new Bio(dev, op, Set.of(), 256);
    bio.setSector(pos / 512);
    for (int i = 0; i * 4096 < n; i++) {
      bio.addFolio(pages[i], Math.min(4096, n - i * 4096), 0);
    }
    BlockStatus st = engine.submitBioWait(bio);
    if (!st.isOk()) {
      throw new IOException(
          dev.name() + ": " + op.name().toLowerCase(java.util.Locale.ROOT) + " failed: " + st);
    }
  }

  private static BlockDeviceProvider deviceProvider(String type) throws IOException {
    return ServiceLoader.load(BlockDeviceProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals(type))
        .findFirst()
        .orElseThrow(() -> new IOException("no '" + type + "' device on the class path"));
  }

  private static <T> T provider(Class<T> type) {
    return ServiceLoader.load(type)
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("no " + type.getSimpleName() + " on the class path"));
  }

  @Override
  public void close() throws IOException {
    try {
      fs.close();
      if (writeBackTo != null) {
        // Back through the locked file device; then its cache is flushed to the disk.
        copy(engine, base, imageLock, base.capacitySectors() * 512);
        BlockStatus st = engine.flush(imageLock);
        if (!st.isOk()) {
          throw new IOException(image + ": flushing the image failed: " + st);
        }
      }
    } finally {
      engine.close();
      device.close();
      if (base != device) {
        base.close();
      }
      if (imageLock != null) {
        imageLock.close();
      }
    }
  }
}
