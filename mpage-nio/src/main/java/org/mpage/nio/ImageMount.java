package org.mpage.nio;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceConsumer;
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
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;

/**
 * An image file mounted for the provider: a file device on it, an engine and the filesystem, all
 * found through {@link ServiceLoader} (so any filesystem type and engine on the class or module
 * path will do). Closing syncs, unmounts and releases the image.
 */
@ServiceConsumer(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@ServiceConsumer(value = FileSystemType.class, resolution = Resolution.OPTIONAL)
@ServiceConsumer(value = StorageEngineFactory.class, resolution = Resolution.OPTIONAL)
record ImageMount(
    BlockDevice device, StorageEngine engine, FileSystem fs, ImageMount.Sources sources)
    implements AutoCloseable {

  /** What the environment map of {@code newFileSystem} may say, read once. */
  record Env(
      boolean readOnly, boolean create, long size, int blockSize, String type, long cachePages) {
    static Env of(Map<String, ?> env) {
      return new Env(
          flag(env, "readOnly"),
          flag(env, "create"),
          number(env, "size", -1),
          (int) number(env, "blockSize", 4096),
          env.get("type") == null ? "ext2" : String.valueOf(env.get("type")),
          number(env, "cachePages", 16384));
    }

    private static boolean flag(Map<String, ?> env, String key) {
      Object v = env.get(key);
      return v instanceof Boolean b ? b : v != null && Boolean.parseBoolean(v.toString());
    }

    private static long number(Map<String, ?> env, String key, long dflt) {
      Object v = env.get(key);
      if (v == null) {
        return dflt;
      }
      if (v instanceof Number n) {
        return n.longValue();
      }
      try {
        return Long.parseLong(v.toString().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("env '" + key + "': not a number: " + v, e);
      }
    }
  }

  /**
   * Where a mount finds its parts: a file device, an engine and the filesystem type. Without OSGi
   * {@link ServiceLoader} finds them and each mount has an engine of its own; in OSGi they are
   * services, and the engine is the framework's shared one.
   */
  interface Sources {
    BlockDevice openFile(Path image, boolean readOnly) throws IOException;

    FileSystemType type(String name);

    StorageEngine engine(Env env);

    /** Gives back what {@link #engine} gave, once the mount is done with {@code device}. */
    void release(StorageEngine engine, BlockDevice device);
  }

  /** The parts on the class or module path, found by {@link ServiceLoader}. */
  static final Sources SERVICE_LOADER =
      new Sources() {
        @Override
        public BlockDevice openFile(Path image, boolean readOnly) throws IOException {
          BlockDeviceProvider files =
              ServiceLoader.load(BlockDeviceProvider.class).stream()
                  .map(ServiceLoader.Provider::get)
                  .filter(p -> p.type().equals("file"))
                  .findFirst()
                  .orElseThrow(() -> new IllegalStateException("no 'file' block device available"));
          return ImageMount.openFile(files, image, readOnly);
        }

        @Override
        public FileSystemType type(String name) {
          return ServiceLoader.load(FileSystemType.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(t -> t.name().equals(name))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no '" + name + "' filesystem type available"));
        }

        @Override
        public StorageEngine engine(Env env) {
          Map<String, String> options = new HashMap<>();
          options.put("read_ahead_kb", "1024");
          options.put("cache.pages", Long.toString(env.cachePages()));
          return ServiceLoader.load(StorageEngineFactory.class)
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no StorageEngineFactory available"))
              .create(options);
        }

        @Override
        public void release(StorageEngine engine, BlockDevice device) {
          engine.close();
        }
      };

  static BlockDevice openFile(BlockDeviceProvider files, Path image, boolean readOnly)
      throws IOException {
    Map<String, String> options = new HashMap<>();
    options.put("path", image.toString());
    options.put("read.only", Boolean.toString(readOnly));
    return files.open(image.getFileName().toString(), options);
  }

  /**
   * Mounts {@code image}. With {@code probe} (a lookup by path, which the JDK offers every
   * installed provider in turn), an image the filesystem type does not recognise is refused with
   * {@link UnsupportedOperationException}, so that the next provider (the zip filesystem, say) gets
   * its chance; by URI the scheme has chosen this provider and the mount's error stands.
   */
  static ImageMount open(Sources sources, Path image, Env env, boolean probe) throws IOException {
    if (env.create() && !Files.exists(image)) {
      format(sources, image, env);
    }
    if (!Files.exists(image)) {
      throw new NoSuchFileException(image.toString(), null, "no such image file");
    }
    if (Files.isDirectory(image)) {
      throw new java.nio.file.FileSystemException(image.toString(), null, "is a directory");
    }
    FileSystemType type = sources.type(env.type());
    BlockDevice device = sources.openFile(image, env.readOnly());
    StorageEngine engine = null;
    try {
      engine = sources.engine(env);
      if (probe && !env.create()) {
        try {
          type.identity(device, engine);
        } catch (IOException e) {
          throw new UnsupportedOperationException(image + ": not an " + type.name() + " image", e);
        }
      }
      FileSystem fs = type.mount(device, engine, new MountOptions(env.readOnly(), Map.of()));
      return new ImageMount(device, engine, fs, sources);
    } catch (IOException | RuntimeException e) {
      if (engine != null) {
        sources.release(engine, device);
      }
      device.close();
      throw e;
    }
  }

  /** A sparse image of the asked size, formatted with the asked block size. */
  private static void format(Sources sources, Path image, Env env) throws IOException {
    if (env.size() <= 0) {
      throw new IllegalArgumentException("env 'create' needs a positive 'size' in bytes");
    }
    try (FileChannel ch =
        FileChannel.open(
            image,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.SPARSE)) {
      ch.write(ByteBuffer.wrap(new byte[1]), env.size() - 1);
    }
    try (BlockDevice dev = sources.openFile(image, false)) {
      StorageEngine engine = sources.engine(env);
      try {
        sources
            .type(env.type())
            .format(dev, engine, Map.of("block.size", Integer.toString(env.blockSize())));
      } finally {
        sources.release(engine, dev);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(image);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      fs.close();
    } finally {
      try {
        sources.release(engine, device);
      } finally {
        device.close();
      }
    }
  }
}
