package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mpage.fs.ext2.E2fs;

/**
 * The trees {@code mkfs --from} is tested on and how an image is compared with them: the
 * hidden-corner tree (sparse, large, hard links, symlinks, unicode and 255-byte names, a
 * 1,500-entry directory, a FIFO, setuid and sticky modes, owners when run as root, set times), and
 * the comparison through e2fsprogs ({@code debugfs rdump} for contents, {@code debugfs stat} for
 * mode, owners, mtime and links).
 */
final class MkfsTrees {
  private MkfsTrees() {}

  static final String LONG_NAME = "n".repeat(255);
  static final String LONG_UNICODE = "é".repeat(127) + "x"; // 255 bytes of UTF-8

  static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * The corner tree under {@code dir/name}, its random contents from {@code seed}; a socket ({@code
   * dir/sock}) only {@code withSocket} (GNU tar ignores sockets).
   */
  static Path cornerTree(Path dir, String name, long seed, boolean withSocket) throws Exception {
    System.out.println("MkfsTrees.cornerTree seed " + seed);
    Random rnd = new Random(seed);
    Path t = Files.createDirectories(dir.resolve(name));
    byte[] big = new byte[6_000_000 + rnd.nextInt(100_000)];
    rnd.nextBytes(big);
    Files.write(t.resolve("large.bin"), big);
    Path sparse = t.resolve("sparse.img");
    try (var ch =
        java.nio.channels.FileChannel.open(
            sparse,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap("head".getBytes(StandardCharsets.US_ASCII)), 0);
      ch.write(java.nio.ByteBuffer.wrap(big, 0, 10_000), 20L << 20);
      ch.write(java.nio.ByteBuffer.wrap("tail".getBytes(StandardCharsets.US_ASCII)), 48L << 20);
    }
    Path d = Files.createDirectories(t.resolve("dir/sub"));
    Files.writeString(d.resolve("a.txt"), "a\n");
    Files.createLink(t.resolve("dir/hard1"), d.resolve("a.txt"));
    Files.createLink(t.resolve("hard2"), d.resolve("a.txt"));
    Files.createSymbolicLink(t.resolve("dir/rel"), Path.of("sub/a.txt"));
    Files.createSymbolicLink(t.resolve("abs"), Path.of("/nowhere/" + "x".repeat(80)));
    Files.createSymbolicLink(t.resolve("dangling"), Path.of("missing"));
    Files.writeString(t.resolve("ünïcødé 名前 \uD83D\uDE00.txt"), "unicode\n");
    Files.writeString(t.resolve(LONG_NAME), "long\n");
    Files.writeString(t.resolve(LONG_UNICODE), "long unicode\n");
    Files.write(t.resolve("empty"), new byte[0]);
    Path many = Files.createDirectories(t.resolve("many"));
    for (int i = 0; i < 1500; i++) {
      byte[] b = new byte[rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(6000)];
      rnd.nextBytes(b);
      Files.write(many.resolve(String.format("entry-%04d", i)), b);
    }
    run("mkfifo", "-m", "0640", t.resolve("dir/fifo").toString());
    if (withSocket) {
      try (var server =
          java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
        server.bind(java.net.UnixDomainSocketAddress.of(t.resolve("dir/sock")));
      }
    }
    Files.writeString(t.resolve("setuid"), "#!/bin/sh\n");
    Files.createDirectories(t.resolve("sticky"));
    if (root()) {
      run("chown", "-h", "1234:5678", t.resolve("setuid").toString(), t.resolve("abs").toString());
      run("chown", "4000000000:70000", d.resolve("a.txt").toString());
      run("chown", "42:43", t.resolve("sticky").toString());
    }
    run("chmod", "4750", t.resolve("setuid").toString());
    run("chmod", "1777", t.resolve("sticky").toString());
    run("chmod", "0600", t.resolve("large.bin").toString());
    // Times last, deepest first, so that nothing made afterwards changes a directory's.
    long base = 1_600_000_000L + rnd.nextInt(10_000_000);
    List<Path> all = new ArrayList<>();
    try (var s = Files.walk(t)) {
      s.forEach(all::add);
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      Path p = all.get(i);
      long m = base - 1000L * i;
      run("touch", "-h", "-d", "@" + m, p.toString());
    }
    return t;
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  /** Every path of the tree relative to its root, as image paths ("/x/y"), root excluded. */
  static List<String> paths(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.filter(p -> !p.equals(root)).forEach(p -> out.add("/" + root.relativize(p)));
    }
    return out;
  }

  /**
   * {@code debugfs rdump} of the image equals the tree (special files, which rdump skips, aside).
   */
  static void assertContentsEqual(Path tree, Path image, Path work) throws Exception {
    Path out = Files.createTempDirectory(work, "rdump");
    E2fs.debugfs(image, false, "rdump / " + out);
    Path dumped = out;
    for (String p : paths(tree)) {
      Path a = tree.resolve(p.substring(1));
      Path b = dumped.resolve(p.substring(1));
      if (Files.isSymbolicLink(a)) {
        assertEquals(Files.readSymbolicLink(a), Files.readSymbolicLink(b), p);
      } else if (Files.isDirectory(a, LinkOption.NOFOLLOW_LINKS)) {
        assertTrue(Files.isDirectory(b), p);
      } else if (Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS)) {
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), p);
      }
    }
    List<String> extra = new ArrayList<>(paths(dumped));
    extra.removeAll(paths(tree));
    extra.removeIf(p -> p.startsWith("/lost+found"));
    assertEquals(List.of(), extra, "in the image only");
  }

  /** What debugfs says of one inode: type, mode (octal), uid, gid, links, mtime, device. */
  record Stat(String type, int mode, long uid, long gid, int links, long mtime, String device) {}

  private static final Pattern STAT =
      Pattern.compile(
          "Type: (\\S+).*?Mode:\\s+(\\d+).*?User:\\s+(-?\\d+)\\s+Group:\\s+(-?\\d+).*?Links:\\s+(\\d+)"
              + ".*?mtime: 0x([0-9a-f]+)(?:.*?Device major/minor number: (\\S+))?",
          Pattern.DOTALL);

  /** {@code debugfs stat} of each path, in one debugfs run. */
  static Map<String, Stat> debugfsStats(Path image, List<String> paths, Path work)
      throws Exception {
    Path cmds = Files.createTempFile(work, "stat", ".cmd");
    StringBuilder sb = new StringBuilder();
    for (String p : paths) {
      sb.append("stat \"").append(p).append("\"\n");
    }
    Files.writeString(cmds, sb);
    String out = E2fs.run(List.of(E2fs.tool("debugfs"), "-f", cmds.toString(), image.toString()));
    Map<String, Stat> stats = new TreeMap<>();
    String[] parts = out.split("debugfs: stat ", -1);
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i];
      String path = part.substring(1, part.indexOf("\"\n"));
      Matcher m = STAT.matcher(part);
      assertTrue(m.find(), "debugfs stat " + path + ": " + part);
      stats.put(
          path,
          new Stat(
              m.group(1),
              Integer.parseInt(m.group(2), 8),
              Long.parseLong(m.group(3)) & 0xffff_ffffL, // debugfs prints them signed
              Long.parseLong(m.group(4)) & 0xffff_ffffL,
              Integer.parseInt(m.group(5)),
              Long.parseLong(m.group(6), 16),
              m.group(7)));
    }
    assertEquals(paths.size(), stats.size(), "a stat for every path");
    return stats;
  }

  /** The host's view of the same fields, debugfs's type names. */
  static Stat hostStat(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    String type =
        switch (mode & 0170000) {
          case 0100000 -> "regular";
          case 0040000 -> "directory";
          case 0120000 -> "symlink";
          case 0010000 -> "FIFO";
          case 0140000 -> "socket";
          default -> "other";
        };
    return new Stat(
        type,
        mode & 07777,
        ((Number) a.get("uid")).longValue() & 0xffff_ffffL,
        ((Number) a.get("gid")).longValue() & 0xffff_ffffL,
        (Integer) a.get("nlink"),
        ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000,
        null);
  }

  /**
   * The image's mode, owners, mtime and link counts are the tree's, for every path but the 1,500
   * entries (a sample of 20 of them).
   */
  static void assertAttributesEqual(Path tree, Path image, Path work) throws Exception {
    assertAttributesEqual(tree, image, work, false);
  }

  /** As above; {@code fromTar}: without sockets, which GNU tar leaves out. */
  static void assertAttributesEqual(Path tree, Path image, Path work, boolean fromTar)
      throws Exception {
    List<String> paths = new ArrayList<>();
    for (String p : paths(tree)) {
      if (fromTar && hostStat(tree.resolve(p.substring(1))).type().equals("socket")) {
        continue;
      }
      if (!p.startsWith("/many/") || (p.endsWith("0") && p.compareTo("/many/entry-0200") < 0)) {
        paths.add(p);
      }
    }
    Map<String, Stat> image1 = debugfsStats(image, paths, work);
    for (String p : paths) {
      Stat host = hostStat(tree.resolve(p.substring(1)));
      Stat img = image1.get(p);
      assertEquals(
          host,
          new Stat(img.type(), img.mode(), img.uid(), img.gid(), img.links(), img.mtime(), null),
          p);
    }
  }
}
