package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.UnsupportedFeatureException;

/**
 * All of e2fsprogs' corrupted test images: mount, walk every directory, read every file. Each must
 * finish within 10 s with data or a clear error ({@link IOException}); nothing else may escape.
 */
class E2fsprogsImagesTest {
  /** Where the images are: ../shared/e2fsprogs-tests from the repository root. */
  static final Path IMAGES = locate();

  /** Bytes read from one file at most: corrupt sizes can claim terabytes of holes. */
  static final long READ_CAP = 32L << 20;

  @TempDir static Path work;
  static final Map<String, String> OUTCOMES = new ConcurrentHashMap<>();

  private static Path locate() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path p = dir.resolve("../shared/e2fsprogs-tests").normalize();
      if (Files.isDirectory(p)) {
        return p;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "../shared/e2fsprogs-tests not found above " + Path.of("").toAbsolutePath());
  }

  @TestFactory
  Stream<DynamicTest> everyImage_endsInDataOrAClearError() throws IOException {
    List<Path> cases = new ArrayList<>();
    try (Stream<Path> s = Files.list(IMAGES)) {
      s.filter(p -> Files.exists(p.resolve("image.gz"))).sorted().forEach(cases::add);
    }
    assertTrue(cases.size() >= 190, "found " + cases.size() + " images in " + IMAGES);
    return cases.stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
  }

  private static void check(Path testCase) throws Exception {
    Path image = work.resolve(testCase.getFileName() + ".img");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(testCase.resolve("image.gz")))) {
      Files.copy(in, image, StandardCopyOption.REPLACE_EXISTING);
    }
    String outcome = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> walkImage(image));
    OUTCOMES.put(testCase.getFileName().toString(), outcome);
    Files.delete(image);
  }

  /** Mounts and walks; returns a one-line outcome. Only IOExceptions are acceptable failures. */
  private static String walkImage(Path image) throws Exception {
    Mounted m;
    try {
      m = Mounted.image(image);
    } catch (UnsupportedFeatureException e) {
      assertFalse(e.features().isEmpty());
      return "refused: " + e.getMessage();
    } catch (IOException e) {
      assertClear(e);
      return "not mounted: " + e.getMessage();
    }
    int[] counts = new int[3]; // files read, directories listed, errors
    try (m) {
      walk(m, "/", new HashSet<>(), counts);
    }
    return "walked: " + counts[0] + " files, " + counts[1] + " dirs, " + counts[2] + " errors";
  }

  private static void walk(Mounted m, String dir, Set<Long> visited, int[] counts) {
    List<DirEntry> entries;
    try {
      FileStat st = m.fs.stat(dir);
      if (!visited.add(st.ino())) {
        return; // a directory loop (hard-linked directory): seen already
      }
      entries = m.fs.list(dir);
      counts[1]++;
    } catch (IOException e) {
      assertClear(e);
      counts[2]++;
      return;
    }
    for (DirEntry e : entries) {
      String path = dir.endsWith("/") ? dir + e.name() : dir + "/" + e.name();
      try {
        FileStat st = m.fs.lstat(path);
        if (st.type() == FileType.DIRECTORY) {
          walk(m, path, visited, counts);
        } else if (st.type() == FileType.SYMLINK) {
          m.fs.readLink(path);
        } else if (st.type() == FileType.REGULAR) {
          read(m, path);
          counts[0]++;
        }
      } catch (IOException ex) {
        assertClear(ex);
        counts[2]++;
      }
    }
  }

  private static void read(Mounted m, String path) throws IOException {
    try (FileHandle f = m.fs.open(path)) {
      long end = Math.min(f.size(), READ_CAP);
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(end, 1 << 20));
      for (long pos = 0; pos < end && buf.capacity() > 0; pos += buf.capacity()) {
        buf.clear();
        if (f.read(pos, buf) < 0) {
          break;
        }
      }
    }
  }

  private static void assertClear(IOException e) {
    assertTrue(
        e.getMessage() != null && !e.getMessage().isBlank(), "an error without a message: " + e);
  }

  @AfterAll
  static void summary() {
    long refused = OUTCOMES.values().stream().filter(o -> o.startsWith("refused")).count();
    long notMounted = OUTCOMES.values().stream().filter(o -> o.startsWith("not mounted")).count();
    long walked = OUTCOMES.values().stream().filter(o -> o.startsWith("walked")).count();
    try {
      StringBuilder all = new StringBuilder();
      new java.util.TreeMap<>(OUTCOMES)
          .forEach((k, v) -> all.append(k).append(": ").append(v).append('\n'));
      Files.writeString(Path.of("target", "e2fsprogs-images.txt"), all);
    } catch (IOException e) {
      System.out.println("outcomes not written: " + e);
    }
    System.out.printf(
        "e2fsprogs images: %d walked, %d refused for unsupported features, %d not mounted as corrupt%n",
        walked, refused, notMounted);
    if (OUTCOMES.size() >= 190) {
      // 77 before ext4 reads; 154 since, with journal replay and checksums verified: only
      // journal_dev, ea_inode, encrypt, casefold, bigalloc and 8 KiB blocks remain refused.
      assertTrue(walked >= 154, walked + " images walked");
      assertTrue(refused <= 23, refused + " images refused");
    }
  }
}
