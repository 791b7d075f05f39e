package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Random sequences of namespace and data operations applied to an image and to a host folder as the
 * model. Afterwards {@code e2fsck -fn} must find the image clean and {@code debugfs rdump} must
 * give back the model. The seed is in every failure message.
 */
class Ext2RandomOpsTest {
  @TempDir Path work;

  static Stream<Arguments> images() {
    return Stream.of(
        Arguments.of("mke2fs", 1024, 11L),
        Arguments.of("mke2fs", 2048, 12L),
        Arguments.of("mke2fs", 4096, 13L),
        Arguments.of("mkfs", 1024, 14L),
        Arguments.of("mkfs", 2048, 15L),
        Arguments.of("mkfs", 4096, 16L));
  }

  @ParameterizedTest(name = "{0} {1}-byte blocks, seed {2}")
  @MethodSource("images")
  void randomOperations_leaveACleanImageEqualToTheModel(String maker, int blockSize, long seed)
      throws Exception {
    Path image = work.resolve("ops.img");
    if (maker.equals("mke2fs")) {
      E2fs.mkfs(image, "32M", null, "-b", "" + blockSize);
    } else {
      Ext2MkfsTest.format(image, 32L << 20, blockSize);
    }
    Path model = Files.createDirectory(work.resolve("model"));
    Random rnd = new Random(seed);
    String where = "seed " + seed + ", " + maker + " " + blockSize;
    try (Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false)) {
      for (int op = 0; op < 1200; op++) {
        step(m.fs, model, rnd, where + ", op " + op);
      }
    }
    String fsck = fsck(image);
    Path out = Files.createDirectory(work.resolve("rdump"));
    E2fs.debugfs(image, false, "rdump / " + out);
    compare(model, out.resolve(""), where + "\n" + fsck);
  }

  static String fsck(Path image) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", image.toString())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    if (p.exitValue() != 0) {
      fail("e2fsck -fn found problems (exit " + p.exitValue() + "):\n" + out);
    }
    // e2fsck exits 0 even for wrong summary counts it would fix; any question it answered "no"
    // to is a problem all the same.
    if (out.contains("? no")) {
      fail("e2fsck -fn wanted to fix something:\n" + out);
    }
    return out;
  }

  private static final String[] NAMES = {"a", "b", "c", "d", "e", "f", "g", "h"};

  /** A random existing model path (files and dirs), or null. */
  private static List<Path> all(Path model) throws IOException {
    try (Stream<Path> s = Files.walk(model)) {
      List<Path> out = new ArrayList<>();
      s.filter(p -> !p.equals(model)).forEach(out::add);
      return out;
    }
  }

  private static String rel(Path model, Path p) {
    return "/" + model.relativize(p).toString();
  }

  private static Path randomDir(Path model, Random rnd) throws IOException {
    List<Path> dirs = new ArrayList<>();
    dirs.add(model);
    for (Path p : all(model)) {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        dirs.add(p);
      }
    }
    return dirs.get(rnd.nextInt(dirs.size()));
  }

  private static void step(FileSystem fs, Path model, Random rnd, String where) throws Exception {
    Path dir = randomDir(model, rnd);
    Path target = dir.resolve(NAMES[rnd.nextInt(NAMES.length)]);
    String path = rel(model, target);
    int kind = rnd.nextInt(100);
    boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    boolean isDir = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
    boolean isLink = Files.isSymbolicLink(target);
    if (kind < 35) {
      // write at a random offset (creating the file)
      if (exists && (isDir || isLink)) {
        return;
      }
      byte[] data = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 3000 : 40_000)];
      rnd.nextBytes(data);
      long pos = rnd.nextInt(rnd.nextBoolean() ? 5000 : 300_000);
      try (FileChannel ch =
          FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(data), pos);
      }
      try (FileHandle h = fs.openWrite(path, true, false, 0644)) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          h.write(pos + b.position(), b);
        }
        if (rnd.nextInt(10) == 0) {
          h.fsync();
        }
      }
    } else if (kind < 45) {
      if (!exists || isDir || isLink) {
        return;
      }
      long size = rnd.nextInt(2) == 0 ? rnd.nextInt(400_000) : rnd.nextInt(6000);
      try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
        if (size < ch.size()) {
          ch.truncate(size);
        } else if (size > ch.size()) {
          ch.write(ByteBuffer.allocate(1), size - 1);
        }
      }
      fs.truncate(path, size);
    } else if (kind < 55) {
      if (exists) {
        expectFailure(() -> fs.mkdir(path, 0755), FileAlreadyExistsException.class, where);
        return;
      }
      Files.createDirectory(target);
      fs.mkdir(path, 0755);
    } else if (kind < 65) {
      if (!exists) {
        expectFailure(() -> fs.unlink(path), NoSuchFileException.class, where);
        return;
      }
      if (isDir) {
        boolean empty;
        try (Stream<Path> s = Files.list(target)) {
          empty = s.findAny().isEmpty();
        }
        if (empty) {
          Files.delete(target);
          fs.rmdir(path);
        } else {
          expectFailure(() -> fs.rmdir(path), IOException.class, where);
        }
      } else {
        Files.delete(target);
        fs.unlink(path);
      }
    } else if (kind < 80) {
      // rename to another random place
      if (!exists) {
        return;
      }
      Path toDir = randomDir(model, rnd);
      Path to = toDir.resolve(NAMES[rnd.nextInt(NAMES.length)]);
      if (to.startsWith(target) || to.equals(target)) {
        if (isDir && to.startsWith(target) && !to.equals(target)) {
          expectFailure(() -> fs.rename(path, rel(model, to)), IOException.class, where);
        }
        return;
      }
      boolean toExists = Files.exists(to, LinkOption.NOFOLLOW_LINKS);
      boolean toDirectory = Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS);
      if (toExists && (isDir != toDirectory)) {
        return; // a kind mismatch: skip rather than model every errno
      }
      if (toExists && toDirectory) {
        try (Stream<Path> s = Files.list(to)) {
          if (s.findAny().isPresent()) {
            return;
          }
        }
      }
      Files.move(target, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      fs.rename(path, rel(model, to));
    } else if (kind < 88) {
      if (exists) {
        return;
      }
      List<Path> files = new ArrayList<>();
      for (Path p : all(model)) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          files.add(p);
        }
      }
      if (files.isEmpty()) {
        return;
      }
      Path src = files.get(rnd.nextInt(files.size()));
      Files.createLink(target, src);
      fs.link(rel(model, src), path);
    } else {
      if (exists) {
        return;
      }
      String linkTarget =
          rnd.nextBoolean()
              ? "x" + rnd.nextInt(100)
              : "long/" + "segment/".repeat(10 + rnd.nextInt(20)) + "end";
      Files.createSymbolicLink(target, Path.of(linkTarget));
      fs.symlink(linkTarget, path);
    }
  }

  @FunctionalInterface
  interface Op {
    void run() throws IOException;
  }

  private static void expectFailure(Op op, Class<? extends IOException> type, String where) {
    try {
      op.run();
      fail(where + ": expected " + type.getSimpleName());
    } catch (IOException e) {
      if (!type.isInstance(e)) {
        fail(where + ": expected " + type.getSimpleName() + " but got " + e);
      }
    }
  }

  /** The model tree and debugfs' rdump of the image must hold the same names and bytes. */
  static void compare(Path model, Path dump, String where) throws IOException {
    Set<String> expected = new HashSet<>();
    Set<String> actual = new HashSet<>();
    try (Stream<Path> s = Files.list(model)) {
      s.forEach(p -> expected.add(p.getFileName().toString()));
    }
    try (Stream<Path> s = Files.list(dump)) {
      s.forEach(p -> actual.add(p.getFileName().toString()));
    }
    actual.remove("lost+found");
    assertEquals(expected, actual, where + ": names in " + model);
    for (String name : expected) {
      Path m = model.resolve(name);
      Path d = dump.resolve(name);
      if (Files.isSymbolicLink(m)) {
        assertEquals(Files.readSymbolicLink(m), Files.readSymbolicLink(d), where + ": link " + m);
      } else if (Files.isDirectory(m)) {
        compare(m, d, where);
      } else {
        assertArrayEquals(Files.readAllBytes(m), Files.readAllBytes(d), where + ": content " + m);
      }
    }
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    }
  }
}
