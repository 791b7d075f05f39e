package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * {@code mkfs --from} with SOURCE_DATE_EPOCH gives the same bytes for the same tree (from a folder
 * and from its tar alike), without it the images differ only in the superblocks and inode tables;
 * bad input ends with one line, exit 1, nothing written outside the image, the image that was at
 * IMAGE untouched and no temporary file left.
 */
class CliMkfsReproducibleTest {
  @TempDir static Path work;
  static Path tree;

  @BeforeAll
  static void makeTree() throws Exception {
    tree = MkfsTrees.cornerTree(work, "tree", Long.getLong("seed", System.nanoTime()), false);
  }

  static CliTest.Result mpage(Map<String, String> env, byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        new Cli(
                new ByteArrayInputStream(stdin),
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false)
            .environment(env)
            .run(args);
    return new CliTest.Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private static byte[] build(Map<String, String> env, String name, byte[] stdin, String from)
      throws Exception {
    Path image = work.resolve(name);
    CliTest.Result r = mpage(env, stdin, "mkfs", image.toString(), "auto", "--from", from);
    assertEquals(0, r.status(), r.err());
    return Files.readAllBytes(image);
  }

  @Test
  void sourceDateEpoch_sameTreeSameBytes_folderAndTarAlike() throws Exception {
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1000000000");
    byte[] a = build(env, "a.img", new byte[0], tree.toString());
    byte[] b = build(env, "b.img", new byte[0], tree.toString());
    assertTrue(Arrays.equals(a, b), "two builds of one folder differ");
    byte[] t = build(env, "t.img", CliMkfsFromTest.tarOf(tree, false), "-");
    assertTrue(Arrays.equals(a, t), "the folder's and its tar's images differ");
    CliWriteTest.fsck(work.resolve("a.img"));
    String stats = E2fs.debugfs(work.resolve("a.img"), false, "stats");
    assertTrue(stats.contains("Filesystem UUID:          " + uuidOf(1000000000L)), stats);
    for (String time : List.of("created", "Last mount time", "Last write time", "Last checked")) {
      assertTrue(
          stats.matches("(?s).*" + time + ":\\s+Sun Sep  9 01:46:40 2001.*"), time + ": " + stats);
    }
    Map<String, MkfsTrees.Stat> st =
        MkfsTrees.debugfsStats(work.resolve("a.img"), List.of("/", "/large.bin", "/abs"), work);
    for (MkfsTrees.Stat s : st.values()) {
      assertEquals(1_000_000_000L, s.mtime(), st.toString());
    }
    // a given UUID wins over the epoch's
    Path u = work.resolve("u.img");
    String uuid = "0badcafe-0000-4000-8000-000000000017";
    assertEquals(
        0,
        mpage(
                env,
                new byte[0],
                "mkfs",
                u.toString(),
                "auto",
                "--from",
                tree.toString(),
                "--uuid",
                uuid,
                "--label",
                "rootfs",
                "--hash-seed",
                uuid)
            .status());
    String us = E2fs.debugfs(u, false, "stats");
    assertTrue(us.contains("Filesystem UUID:          " + uuid), us);
    assertTrue(us.contains("Filesystem volume name:   rootfs"), us);
    assertTrue(us.contains("Directory Hash Seed:      " + uuid), us);
  }

  private static String uuidOf(long epoch) {
    return org.mpage.fileops.ImageBuild.epochUuid("uuid", epoch);
  }

  @Test
  void withoutEpoch_imagesDifferOnlyInSuperblocksAndInodeTables() throws Exception {
    byte[] a = build(Map.of(), "n1.img", new byte[0], tree.toString());
    Thread.sleep(1100); // so that "now" differs too
    byte[] b = build(Map.of(), "n2.img", new byte[0], tree.toString());
    assertEquals(a.length, b.length);
    assertFalse(Arrays.equals(a, b));
    String dump = E2fs.run(List.of(E2fs.tool("dumpe2fs"), work.resolve("n1.img").toString()));
    int bs = Integer.parseInt(dump.replaceAll("(?s).*\nBlock size:\\s+(\\d+).*", "$1"));
    List<long[]> allowed = new ArrayList<>();
    Matcher sb = Pattern.compile("superblock at (\\d+)").matcher(dump);
    while (sb.find()) {
      long blk = Long.parseLong(sb.group(1));
      allowed.add(new long[] {blk, blk});
    }
    Matcher it = Pattern.compile("Inode table at (\\d+)-(\\d+)").matcher(dump);
    while (it.find()) {
      allowed.add(new long[] {Long.parseLong(it.group(1)), Long.parseLong(it.group(2))});
    }
    int differing = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        differing++;
        long block = i / bs;
        // the primary superblock is at byte 1024, inside block 0 of a 4 KiB-block filesystem
        boolean ok = allowed.stream().anyMatch(r -> block >= r[0] && block <= r[1]);
        assertTrue(
            ok,
            "byte "
                + i
                + " (block "
                + block
                + ") differs outside the superblocks and inode tables");
      }
    }
    assertTrue(differing > 16, "UUID and times differ: " + differing);
  }

  @Test
  void imageInsideItsFolder_isLeftOut_andALinkToTheFolderIsTheFolder() throws Exception {
    Path dir = Files.createDirectories(work.resolve("inside"));
    Files.writeString(dir.resolve("a"), "a\n");
    Path image = dir.resolve("self.img");
    for (int i = 0; i < 2; i++) { // the second time over an earlier image in the folder
      CliTest.Result r =
          mpage(Map.of(), new byte[0], "mkfs", image.toString(), "auto", "--from", dir.toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(List.of("lost+found", "a"), E2fs.debugfsNames(image, "/"));
    }
    Path link = Files.createSymbolicLink(work.resolve("link-to-inside"), dir);
    Path other = work.resolve("via-link.img");
    assertEquals(
        0,
        mpage(Map.of(), new byte[0], "mkfs", other.toString(), "auto", "--from", link.toString())
            .status());
    assertEquals(List.of("lost+found", "a", "self.img"), E2fs.debugfsNames(other, "/"));
  }

  // ---- bad input ----

  /** One run that must fail with one line containing {@code reason} and change nothing. */
  private static void refused(byte[] stdin, String from, String size, String reason)
      throws Exception {
    Path image = work.resolve("good.img");
    if (!Files.exists(image)) {
      Path small = Files.createDirectories(work.resolve("small"));
      Files.writeString(small.resolve("keep"), "the earlier good image\n");
      assertEquals(
          0,
          mpage(Map.of(), new byte[0], "mkfs", image.toString(), "8M", "--from", small.toString())
              .status());
    }
    byte[] before = Files.readAllBytes(image);
    CliTest.Result r = mpage(Map.of(), stdin, "mkfs", image.toString(), size, "--from", from);
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().matches("mpage: [^\n]+\n"), "one line: " + r.err());
    assertTrue(r.err().contains(reason), r.err());
    assertArrayEquals(before, Files.readAllBytes(image), "the earlier image changed");
    try (var s = Files.list(work)) {
      assertEquals(
          List.of(), s.filter(p -> p.getFileName().toString().contains(".mpage-")).toList());
    }
  }

  private static byte[] tar(Object... members) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (int i = 0; i < members.length; i += 3) {
        String name = (String) members[i];
        byte type = (Byte) members[i + 1];
        String data = (String) members[i + 2];
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        if (type == TarConstants.LF_SYMLINK || type == TarConstants.LF_LINK) {
          e.setLinkName(data);
        } else if (data != null) {
          e.setSize(data.length());
        }
        tar.putArchiveEntry(e);
        if (type == TarConstants.LF_NORMAL && data != null) {
          tar.write(data.getBytes(StandardCharsets.US_ASCII));
        }
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void badInput_oneLine_nothingOutside_earlierImageKept_noTemporaryFile() throws Exception {
    byte f = TarConstants.LF_NORMAL;
    refused(tar("ok", f, "x", "../evil", f, "x"), "-", "8M", "member name with '..' refused");
    refused(tar("a/../../evil", f, "x"), "-", "8M", "member name with '..' refused");
    refused(tar("/etc/evil", f, "x"), "-", "8M", "absolute member name refused");
    Path outside = Files.createDirectories(work.resolve("outside"));
    refused(
        tar("link", TarConstants.LF_SYMLINK, outside.toString(), "link/file", f, "through"),
        "-",
        "8M",
        "below the symbolic link /link");
    try (var listed = Files.list(outside)) {
      assertEquals(List.of(), listed.toList(), "written through the symlink");
    }
    refused(tar("h", TarConstants.LF_LINK, "missing"), "-", "8M", "/h: no such file");
    byte[] whole = tar("big", f, "y".repeat(100_000));
    refused(Arrays.copyOf(whole, 50_000), "-", "8M", "truncated");
    refused(
        "not a tar at all, just text that is long enough"
            .repeat(20)
            .getBytes(StandardCharsets.US_ASCII),
        "-",
        "8M",
        "not a valid tar archive");
    Path huge = Files.createDirectories(work.resolve("huge"));
    byte[] random = new byte[12 << 20];
    new Random(17).nextBytes(random);
    Files.write(huge.resolve("f"), random);
    refused(new byte[0], huge.toString(), "8M", "the tree does not fit in 8388608 bytes");
    refused(new byte[0], work.resolve("nothing").toString(), "8M", "no such file or folder");
    // and the image is good afterwards
    CliWriteTest.fsck(work.resolve("good.img"));
    assertEquals(
        "the earlier good image\n",
        CliWriteTest.mpage("cat", work.resolve("good.img").toString(), "/keep").text());
  }
}
