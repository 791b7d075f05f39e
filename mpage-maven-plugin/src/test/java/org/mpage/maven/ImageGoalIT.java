package org.mpage.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * What the invoker's real Maven builds of {@code src/it} made with the {@code image} goal, judged
 * by e2fsprogs: images that e2fsck finds clean and debugfs reads back equal to their source (a
 * folder and a tar.gz), the same bytes twice from a project with a reproducible-build timestamp,
 * the options applied, and a missing source failing the build with mpage's one-line reason.
 */
class ImageGoalIT {
  private static final Path IT = Path.of("target", "it");
  private static final Path FOLDER = IT.resolve("folder-image");
  private static final Path TARGET = FOLDER.resolve("target");

  /** 2026-01-01T00:00:00Z, the project's project.build.outputTimestamp. */
  private static final long EPOCH = 1_767_225_600L;

  @TempDir Path tmp;

  @Test
  void aFolderBuildsACleanImageEqualToIt() throws Exception {
    Path image = TARGET.resolve("rootfs.img");
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    Path out = Files.createDirectory(tmp.resolve("out"));
    E2fs.debugfs(image, false, "rdump / " + out);
    assertTreesEqual(FOLDER.resolve("rootfs"), out);
  }

  @Test
  void theBuildIsReproducible() throws Exception {
    byte[] one = Files.readAllBytes(TARGET.resolve("rootfs.img"));
    byte[] two = Files.readAllBytes(TARGET.resolve("rootfs-again.img"));
    assertArrayEquals(one, two, "two builds of the same folder with outputTimestamp set");
    String stat = E2fs.debugfs(TARGET.resolve("rootfs.img"), false, "stat /etc/hostname");
    // no time in the image is later than the timestamp
    for (String field : List.of("ctime:", "atime:", "mtime:")) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(field + " (0x[0-9a-f]+)").matcher(stat);
      assertTrue(m.find(), field + " in " + stat);
      long t = Long.decode(m.group(1));
      assertTrue(t <= EPOCH, field + " " + t + " later than the epoch " + EPOCH);
    }
  }

  @Test
  void theOptionsReachTheImage() throws Exception {
    String rootfs =
        E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", TARGET.resolve("rootfs.img").toString()));
    assertTrue(rootfs.contains("Filesystem volume name:   it-rootfs"), rootfs);
    Path sized = TARGET.resolve("sized.img");
    assertEquals(4L << 20, Files.size(sized));
    String header = E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", sized.toString()));
    assertTrue(header.contains("Block size:               1024"), header);
    assertTrue(header.contains("0b5d2c6e-8f3a-4c1e-9d7b-2a4f6e8c0d13"), header);
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", sized.toString()));
  }

  @Test
  void aTarGzBuildsTooWithItsOwnersAndModes() throws Exception {
    Path image = TARGET.resolve("layer.img");
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(E2fs.debugfs(image, false, "cat /etc/motd").endsWith("from a tar layer\n"));
    String stat = E2fs.debugfs(image, false, "stat /bin/tool");
    assertTrue(stat.contains("Mode:  0755"), stat);
    assertTrue(stat.contains("User:  1000"), stat);
  }

  @Test
  void aMissingSourceFailsTheBuildWithOneClearLine() throws IOException {
    String log = Files.readString(IT.resolve("bad-source").resolve("build.log"));
    assertTrue(log.contains("BUILD FAILURE"), log);
    assertTrue(
        log.lines().anyMatch(l -> l.contains("mpage: ") && l.contains("missing")),
        "a line naming the source: " + log);
  }

  private static void assertTreesEqual(Path expected, Path actual) throws IOException {
    List<String> want = relative(expected);
    assertEquals(want, relative(actual));
    for (String rel : want) {
      Path e = expected.resolve(rel);
      if (Files.isRegularFile(e)) {
        assertArrayEquals(Files.readAllBytes(e), Files.readAllBytes(actual.resolve(rel)), rel);
      }
    }
  }

  private static List<String> relative(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.filter(p -> !p.equals(root))
          .filter(p -> !p.getFileName().toString().equals("lost+found"))
          .filter(p -> !root.relativize(p).toString().startsWith("lost+found"))
          .forEach(p -> out.add(root.relativize(p).toString()));
    }
    out.sort(null);
    return out;
  }
}
