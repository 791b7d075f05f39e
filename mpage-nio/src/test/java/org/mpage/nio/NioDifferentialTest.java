package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * The same seeded random sequence of {@code Files} calls against a host directory and against an
 * image through the provider: every result and every exception class must agree. Afterwards e2fsck
 * finds nothing and {@code debugfs rdump} of the image equals the host directory. The seed is
 * printed; {@code -Dmpage.seed=N} replays it.
 */
class NioDifferentialTest {
  @TempDir Path work;

  private static final String[] NAMES = {"a", "b", "c", "d/a", "d/b", "d/e/f", "d", "d/e", "x"};

  /** One random operation on {@code root}; its outcome as text, exceptions by class. */
  private static String step(Path root, Random r) {
    String name = NAMES[r.nextInt(NAMES.length)];
    String other = NAMES[r.nextInt(NAMES.length)];
    Path p = root.resolve(name);
    Path q = root.resolve(other);
    int op = r.nextInt(17);
    long offset = r.nextInt(3) == 0 ? r.nextInt(300_000) : r.nextInt(9000);
    byte[] data = new byte[r.nextInt(3) == 0 ? r.nextInt(70_000) : r.nextInt(5000)];
    r.nextBytes(data);
    long time = 1_600_000_000L + r.nextInt(100_000_000);
    try {
      return op
          + " "
          + name
          + " "
          + switch (op) {
            case 0 -> {
              Files.write(p, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
              yield "created";
            }
            case 1 -> {
              try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                yield ch.write(ByteBuffer.wrap(data), offset) + " size " + ch.size();
              }
            }
            case 2 -> {
              try (FileChannel ch =
                  FileChannel.open(p, StandardOpenOption.APPEND, StandardOpenOption.CREATE)) {
                yield ch.write(ByteBuffer.wrap(data)) + " at " + ch.position();
              }
            }
            case 3 -> {
              try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.truncate(offset);
                yield "size " + ch.size();
              }
            }
            case 4 -> digest(Files.readAllBytes(p));
            case 5 -> {
              Files.move(p, q);
              yield "moved";
            }
            case 6 -> {
              Files.move(p, q, StandardCopyOption.REPLACE_EXISTING);
              yield "moved over";
            }
            case 7 -> {
              Files.createLink(q, p);
              yield "linked";
            }
            case 8 -> {
              Files.createSymbolicLink(q, p.getFileSystem().getPath(name));
              yield "symlinked";
            }
            case 9 -> {
              Files.delete(p);
              yield "deleted";
            }
            case 10 -> {
              Files.createDirectory(p);
              yield "mkdir";
            }
            case 11 -> list(p);
            case 12 -> attributes(p);
            case 13 -> {
              Files.setLastModifiedTime(
                  p, FileTime.from(time, java.util.concurrent.TimeUnit.SECONDS));
              yield Files.getLastModifiedTime(p).toString();
            }
            case 14 -> {
              Files.setPosixFilePermissions(
                  p, PosixFilePermissions.fromString(r.nextBoolean() ? "rw-r-----" : "rwxr-xr-x"));
              yield PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
            }
            case 15 -> {
              Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
              yield "copied " + Files.size(q);
            }
            default -> Files.readSymbolicLink(p).toString();
          };
    } catch (IOException | RuntimeException e) {
      String kind = e.getClass().getSimpleName();
      if (op == 4 && e instanceof IOException && Files.isDirectory(p)) {
        // Reading a directory: the JDK opens it and fails the read (IOException), the provider
        // refuses the open ("is a directory", a FileSystemException); a caller sees an
        // IOException either way.
        kind = "IOException";
      }
      return op + " " + name + " " + kind;
    }
  }

  private static String digest(byte[] b) {
    try {
      return b.length
          + " "
          + HexFormat.of()
              .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b))
              .substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(e -> names.add(e.getFileName().toString()));
    }
    names.sort(null);
    return names.toString();
  }

  private static String attributes(Path p) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return (a.isDirectory() ? "dir" : a.isSymbolicLink() ? "link" : "file")
        + (a.isRegularFile() ? " " + a.size() : "")
        + " "
        + Files.exists(p);
  }

  /** Every file under {@code root}: its kind, size, permissions and content digest. */
  static Map<String, String> tree(Path root) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          out.put(rel, "dir " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        } else {
          out.put(
              rel,
              "file "
                  + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                  + " "
                  // ext2 keeps whole seconds, the host nanoseconds
                  + Files.getLastModifiedTime(p).to(java.util.concurrent.TimeUnit.SECONDS)
                  + " "
                  + digest(Files.readAllBytes(p)));
        }
      }
    }
    out.remove("");
    out.remove("lost+found");
    return out;
  }

  private void run(int threads, int steps) throws Exception {
    long seed = Long.getLong("mpage.seed", System.nanoTime());
    System.out.println("NioDifferentialTest seed: -Dmpage.seed=" + seed + " threads " + threads);
    Path ref = Files.createDirectory(work.resolve("ref"));
    Path image = Images.mkfs(work.resolve("d.img"), "64M", null);
    try (FileSystem fs = Images.open(image)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String sub = threads == 1 ? "" : "t" + t;
          long s = seed + t;
          if (!sub.isEmpty()) {
            Files.createDirectory(ref.resolve(sub));
            Files.createDirectory(fs.getPath("/" + sub));
          }
          done.add(
              pool.submit(
                  () -> {
                    Random a = new Random(s);
                    Random b = new Random(s);
                    Path hostRoot = sub.isEmpty() ? ref : ref.resolve(sub);
                    Path imageRoot = fs.getPath("/" + sub);
                    for (int i = 0; i < steps; i++) {
                      String want = step(hostRoot, a);
                      String got = step(imageRoot, b);
                      assertEquals(want, got, "seed " + seed + " thread " + sub + " step " + i);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertEquals(tree(ref), tree(fs.getPath("/")), "seed " + seed + ": trees differ");
    }
    Images.fsck(image);
    Path out = Files.createDirectory(work.resolve("rdump"));
    E2fs.debugfs(image, false, "rdump / " + out);
    assertEquals(tree(ref), tree(out), "seed " + seed + ": debugfs rdump differs");
  }

  @Test
  void oneThread() throws Exception {
    run(1, 3000);
  }

  @Test
  void fourThreadsInTheirOwnDirectories() throws Exception {
    run(4, 800);
  }
}
