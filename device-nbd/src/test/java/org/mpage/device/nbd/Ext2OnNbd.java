package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.fs.ext2.E2fs;

/**
 * ext2 mounted on an NBD device as the command line mounts it (engine and filesystem type found
 * through {@link ServiceLoader}), a seeded random workload with a host folder as its model, and the
 * e2fsprogs checks of the server's file afterwards.
 */
final class Ext2OnNbd implements AutoCloseable {
  final BlockDevice device;
  final StorageEngine engine;
  final FileSystem fs;

  private Ext2OnNbd(BlockDevice device, StorageEngine engine, FileSystem fs) {
    this.device = device;
    this.engine = engine;
    this.fs = fs;
  }

  static Ext2OnNbd mount(BlockDevice device, boolean readOnly) throws IOException {
    StorageEngine engine =
        ServiceLoader.load(StorageEngineFactory.class)
            .findFirst()
            .orElseThrow()
            .create(Map.of("read_ahead_kb", "128"));
    try {
      FileSystemType ext2 =
          ServiceLoader.load(FileSystemType.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(t -> t.name().equals("ext2"))
              .findFirst()
              .orElseThrow();
      FileSystem fs = ext2.mount(device, engine, new MountOptions(readOnly, Map.of()));
      return new Ext2OnNbd(device, engine, fs);
    } catch (IOException | RuntimeException e) {
      engine.close();
      device.close();
      throw e;
    }
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

  /** The whole content of a file of the mounted filesystem. */
  byte[] read(String path) throws IOException {
    return read(fs, path);
  }

  /** The whole content of a file of {@code fs}. */
  static byte[] read(FileSystem fs, String path) throws IOException {
    try (FileHandle h = fs.open(path)) {
      ByteBuffer b = ByteBuffer.allocate((int) h.size());
      while (b.hasRemaining()) {
        if (h.read(b.position(), b) <= 0) {
          break;
        }
      }
      return b.array();
    }
  }

  private static final String[] NAMES = {"a", "b", "c", "d", "e"};

  /**
   * {@code ops} random operations (writes at random offsets, truncates, mkdir, unlink, rmdir,
   * rename, an fsync now and then) applied to the mount and to {@code model} alike.
   */
  void randomOperations(Path model, long seed, int ops) throws IOException {
    Random rnd = new Random(seed);
    for (int i = 0; i < ops; i++) {
      List<Path> dirs = new ArrayList<>();
      dirs.add(model);
      try (Stream<Path> s = Files.walk(model)) {
        s.filter(p -> Files.isDirectory(p) && !p.equals(model)).forEach(dirs::add);
      }
      Path target = dirs.get(rnd.nextInt(dirs.size())).resolve(NAMES[rnd.nextInt(NAMES.length)]);
      String path = "/" + model.relativize(target);
      boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
      boolean isDir = Files.isDirectory(target);
      int kind = rnd.nextInt(100);
      if (kind < 45 && !isDir) {
        byte[] data = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 2000 : 70_000)];
        rnd.nextBytes(data);
        long pos = rnd.nextInt(rnd.nextBoolean() ? 4000 : 200_000);
        try (FileChannel ch =
            FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(data), pos);
        }
        try (FileHandle h = fs.openWrite(path, true, false, 0644)) {
          ByteBuffer b = ByteBuffer.wrap(data);
          while (b.hasRemaining()) {
            h.write(pos + b.position(), b);
          }
          if (rnd.nextInt(8) == 0) {
            h.fsync();
          }
        }
      } else if (kind < 55 && exists && !isDir) {
        long size = rnd.nextInt(150_000);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
          if (size < ch.size()) {
            ch.truncate(size);
          } else if (size > ch.size()) {
            ch.write(ByteBuffer.allocate(1), size - 1);
          }
        }
        fs.truncate(path, size);
      } else if (kind < 68 && !exists) {
        Files.createDirectory(target);
        fs.mkdir(path, 0755);
      } else if (kind < 82 && exists) {
        if (!isDir) {
          Files.delete(target);
          fs.unlink(path);
        } else if (isEmpty(target)) {
          Files.delete(target);
          fs.rmdir(path);
        }
      } else if (exists && !isDir) {
        Path to = dirs.get(rnd.nextInt(dirs.size())).resolve(NAMES[rnd.nextInt(NAMES.length)]);
        if (!Files.isDirectory(to) && !to.equals(target)) {
          Files.move(target, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          fs.rename(path, "/" + model.relativize(to));
        }
      }
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /** {@code e2fsck -fn}: clean, nothing it would have fixed. */
  static void fsckClean(Path image) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("e2fsck did not finish in 60 s");
    }
    if (p.exitValue() != 0 || out.contains("? no")) {
      fail("e2fsck -fn found problems (exit " + p.exitValue() + "):\n" + out);
    }
  }

  /** The model and debugfs' rdump of the image hold the same names and bytes. */
  static void compareWithDebugfs(Path image, Path model, Path work)
      throws IOException, InterruptedException {
    Path out = Files.createDirectories(work.resolve("rdump"));
    E2fs.debugfs(image, false, "rdump / " + out);
    compare(model, out, model);
  }

  private static void compare(Path model, Path dump, Path root) throws IOException {
    Set<String> expected = names(model);
    Set<String> actual = names(dump);
    actual.remove("lost+found");
    assertEquals(expected, actual, "names in /" + root.relativize(model));
    for (String n : expected) {
      Path m = model.resolve(n);
      if (Files.isDirectory(m)) {
        compare(m, dump.resolve(n), root);
      } else {
        assertArrayEquals(
            Files.readAllBytes(m), Files.readAllBytes(dump.resolve(n)), "/" + root.relativize(m));
      }
    }
  }

  private static Set<String> names(Path dir) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }
}
