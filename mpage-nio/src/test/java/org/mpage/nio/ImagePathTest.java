package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path syntax against the JDK's own Unix paths: the same strings give the same names, parents,
 * normal forms, resolutions and relativizations. Seeded; the seed is printed.
 */
class ImagePathTest {
  @TempDir static Path work;
  static FileSystem image;

  @BeforeAll
  static void open() throws Exception {
    image = Images.open(Images.mkfs(work.resolve("p.img"), "4M", null));
  }

  @AfterAll
  static void close() throws IOException {
    image.close();
  }

  private static final String[] NAMES = {"a", "b", "..", ".", "café", "x y", ".hidden", "a"};

  private static String randomPath(Random r) {
    StringBuilder sb = new StringBuilder(r.nextInt(3) == 0 ? "/" : "");
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      sb.append(NAMES[r.nextInt(NAMES.length)]);
      if (i < n - 1 || r.nextInt(6) == 0) {
        sb.append(r.nextInt(8) == 0 ? "//" : "/");
      }
    }
    return sb.toString();
  }

  private static String show(Function<Path, Object> f, Path p) {
    try {
      Object v = f.apply(p);
      return v == null ? "null" : v.toString();
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }

  @Test
  void theSameAnswersAsTheDefaultFileSystem() {
    long seed = Long.getLong("mpage.seed", System.nanoTime());
    System.out.println("ImagePathTest seed: -Dmpage.seed=" + seed);
    Random r = new Random(seed);
    FileSystem unix = java.nio.file.FileSystems.getDefault();
    List<Function<Path, Object>> unary =
        List.of(
            Path::getFileName,
            Path::getParent,
            Path::getRoot,
            Path::normalize,
            Path::isAbsolute,
            Path::getNameCount,
            p -> p.getNameCount() > 1 ? p.subpath(1, p.getNameCount()) : p.getName(0),
            p -> {
              List<String> names = new ArrayList<>();
              p.forEach(n -> names.add(n.toString()));
              return names;
            });
    for (int i = 0; i < 3000; i++) {
      String s = randomPath(r);
      String t = randomPath(r);
      Path u = unix.getPath(s);
      Path m = image.getPath(s);
      Path u2 = unix.getPath(t);
      Path m2 = image.getPath(t);
      String where = "seed " + seed + ", '" + s + "' and '" + t + "'";
      assertEquals(u.toString(), m.toString(), where);
      for (Function<Path, Object> f : unary) {
        assertEquals(show(f, u), show(f, m), where);
      }
      assertEquals(show(p -> p.resolve(u2), u), show(p -> p.resolve(m2), m), where);
      assertEquals(show(p -> p.relativize(u2), u), show(p -> p.relativize(m2), m), where);
      assertEquals(u.startsWith(u2), m.startsWith(m2), where);
      assertEquals(u.endsWith(u2), m.endsWith(m2), where);
      assertEquals(Integer.signum(u.compareTo(u2)), Integer.signum(m.compareTo(m2)), where);
      assertEquals(u.equals(u2), m.equals(m2), where);
      assertEquals(show(p -> p.resolveSibling(u2), u), show(p -> p.resolveSibling(m2), m), where);
    }
  }

  @Test
  void urisRoundTrip() {
    for (String s : List.of("/", "/a/b", "/café/x y", "/a%b", "/q?#")) {
      Path p = image.getPath(s);
      assertEquals(p, Path.of(p.toUri()), s + " -> " + p.toUri());
    }
  }
}
