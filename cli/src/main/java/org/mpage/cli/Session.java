package org.mpage.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.api.page.Folio;

/**
 * One image opened for a command: the device (file or RAM disk), an engine and the mounted
 * filesystem, all found through {@link ServiceLoader}. Closing unmounts and releases everything.
 */
final class Session implements AutoCloseable {
  final Path image;
  final BlockDevice device;
  final StorageEngine engine;
  final FileSystem fs;

  private Session(Path image, BlockDevice device, StorageEngine engine, FileSystem fs) {
    this.image = image;
    this.device = device;
    this.engine = engine;
    this.fs = fs;
  }

  static Session open(Path image, String deviceType, boolean readOnly) throws IOException {
    if (!Files.exists(image)) {
      throw new NoSuchFileException(image.toString(), null, "no such image file");
    }
    BlockDevice device =
        deviceType.equals("ramdisk") ? loadIntoRamDisk(image) : openFile(image, readOnly);
    StorageEngine engine = null;
    try {
      engine =
          provider(StorageEngineFactory.class)
              .create(Map.of("read_ahead_kb", "1024", "cache.pages", "16384"));
      FileSystemType type =
          ServiceLoader.load(FileSystemType.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(t -> t.name().equals("ext2"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no ext2 filesystem type on the class path"));
      FileSystem fs = type.mount(device, engine, new MountOptions(readOnly, Map.of()));
      return new Session(image, device, engine, fs);
    } catch (IOException | RuntimeException e) {
      if (engine != null) {
        engine.close();
      }
      device.close();
      throw e;
    }
  }

  private static BlockDevice openFile(Path image, boolean readOnly) throws IOException {
    Map<String, String> options = new HashMap<>();
    options.put("path", image.toString());
    options.put("read.only", Boolean.toString(readOnly));
    return deviceProvider("file").open("image", options);
  }

  /** A RAM disk holding a copy of the image (changes are not written back). */
  private static BlockDevice loadIntoRamDisk(Path image) throws IOException {
    long size = Files.size(image) / 512 * 512;
    BlockDevice rd =
        deviceProvider("ramdisk").open("ram0", Map.of("size", Long.toString(Math.max(512, size))));
    ByteBuffer mem = ByteBuffer.allocateDirect(1 << 20);
    Folio[] pages = new Folio[256];
    for (int i = 0; i < pages.length; i++) {
      pages[i] = new Folio(null, i, mem.slice(i * 4096, 4096));
    }
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      for (long pos = 0; pos < size; pos += mem.capacity()) {
        int n = (int) Math.min(mem.capacity(), size - pos);
        ByteBuffer b = mem.duplicate().clear().limit(n);
        while (b.hasRemaining() && ch.read(b, pos + b.position()) >= 0) {
          // keep reading: short reads are possible
        }
        Bio bio = new Bio(rd, BioOp.WRITE, Set.of(), 256);
        bio.setSector(pos / 512);
        for (int i = 0; i * 4096 < n; i++) {
          bio.addFolio(pages[i], Math.min(4096, n - i * 4096), 0);
        }
        CompletableFuture<BlockStatus> done = new CompletableFuture<>();
        bio.setEndIo(x -> done.complete(x.status()));
        rd.submit(bio);
        if (!done.join().isOk()) {
          throw new IOException("loading the image into the RAM disk failed");
        }
      }
    }
    return rd;
  }

  private static BlockDeviceProvider deviceProvider(String type) {
    return ServiceLoader.load(BlockDeviceProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals(type))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no '" + type + "' device on the class path"));
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
    } finally {
      engine.close();
      device.close();
    }
  }
}
