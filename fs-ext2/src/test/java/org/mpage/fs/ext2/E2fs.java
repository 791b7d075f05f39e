package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** e2fsprogs, the oracle: mke2fs, debugfs, e2fsck run as processes. */
public final class E2fs {
  private E2fs() {}

  /** The path of an e2fsprogs tool, looked up in PATH, /sbin and /usr/sbin. */
  public static String tool(String name) {
    for (String dir :
        (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":", -1)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new IllegalStateException(name + " not found: install e2fsprogs (.ci/run does)");
  }

  /** Runs a command, returns stdout; fails with the output if it exits non-zero. */
  public static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + cmd);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("failed (" + p.exitValue() + "): " + cmd + "\n" + text);
    }
    return text;
  }

  /** {@code mke2fs -t ext2} with extra options, populated from {@code dir} if given. */
  public static Path mkfs(Path image, String size, Path dir, String... options)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(tool("mke2fs"), "-q", "-F", "-t", "ext2"));
    cmd.addAll(List.of(options));
    if (dir != null) {
      cmd.add("-d");
      cmd.add(dir.toString());
    }
    cmd.add(image.toString());
    cmd.add(size);
    run(cmd);
    return image;
  }

  /** {@code mkfs.ext4} (mke2fs -t ext4, its default features) with extra options. */
  public static Path mkfsExt4(Path image, String size, Path dir, String... options)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(tool("mke2fs"), "-q", "-F", "-t", "ext4"));
    cmd.addAll(List.of(options));
    if (dir != null) {
      cmd.add("-d");
      cmd.add(dir.toString());
    }
    cmd.add(image.toString());
    cmd.add(size);
    run(cmd);
    return image;
  }

  /**
   * The extent tree of a file as debugfs's {@code ex} prints it: one row per entry, {level, depth
   * of the tree, first logical block, last logical block, physical block, length, unwritten (0/1)}.
   * Rows of levels above the leaves are index entries, their physical block the child node.
   */
  public static List<long[]> extents(Path image, String path)
      throws IOException, InterruptedException {
    List<long[]> rows = new ArrayList<>();
    java.util.regex.Pattern row =
        java.util.regex.Pattern.compile(
            "^\\s*(\\d+)/\\s*(\\d+)\\s+\\d+/\\s*\\d+\\s+(\\d+)\\s*-\\s*(\\d+)\\s+(\\d+)"
                + "(?:\\s*-\\s*\\d+)?\\s+(\\d+)\\s*(Uninit)?");
    for (String line : debugfs(image, false, "ex \"" + path + "\"").split("\n", -1)) {
      java.util.regex.Matcher m = row.matcher(line);
      if (m.find()) {
        rows.add(
            new long[] {
              Long.parseLong(m.group(1)),
              Long.parseLong(m.group(2)),
              Long.parseLong(m.group(3)),
              Long.parseLong(m.group(4)),
              Long.parseLong(m.group(5)),
              Long.parseLong(m.group(6)),
              m.group(7) != null ? 1 : 0
            });
      }
    }
    return rows;
  }

  /** {@code debugfs [-w] -R request image}. */
  public static String debugfs(Path image, boolean write, String request)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(tool("debugfs")));
    if (write) {
      cmd.add("-w");
    }
    cmd.add("-R");
    cmd.add(request);
    cmd.add(image.toString());
    return run(cmd);
  }

  /** Names in a directory as debugfs lists them ({@code ls -p}), without . and ... */
  public static List<String> debugfsNames(Path image, String dir)
      throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    for (String line : debugfs(image, false, "ls -p \"" + dir + "\"").split("\n", -1)) {
      // /ino/mode/uid/gid/name/size/ ; the name may itself hold '/'-free text only
      if (!line.startsWith("/")) {
        continue;
      }
      String[] f = line.split("/", -1);
      if (f.length < 7 || f[1].equals("0")) {
        continue; // (inode 0: the unused space debugfs shows in an inline directory)
      }
      String name = String.join("/", java.util.Arrays.copyOfRange(f, 5, f.length - 2));
      if (!name.equals(".") && !name.equals("..")) {
        names.add(name);
      }
    }
    return names;
  }

  /** The physical location of an inode: {block, byte offset in block}. */
  public static long[] imap(Path image, String path) throws IOException, InterruptedException {
    String out = debugfs(image, false, "imap \"" + path + "\"");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("located at block (\\d+), offset 0x([0-9a-f]+)")
            .matcher(out);
    if (!m.find()) {
      throw new IOException("imap failed: " + out);
    }
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2), 16)};
  }

  /** The physical block of a file's logical block. */
  public static long bmap(Path image, String path, long block)
      throws IOException, InterruptedException {
    String out = debugfs(image, false, "bmap \"" + path + "\" " + block).trim();
    String[] lines = out.split("\n", -1);
    return Long.parseLong(lines[lines.length - 1].trim());
  }

  /** The attribute names of an inode as debugfs's {@code ea_list} prints them, in its order. */
  public static List<String> eaList(Path image, String path)
      throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    java.util.regex.Pattern row = java.util.regex.Pattern.compile("^  (\\S+) \\((\\d+)\\)");
    for (String line : debugfs(image, false, "ea_list \"" + path + "\"").split("\n", -1)) {
      java.util.regex.Matcher m = row.matcher(line);
      if (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /**
   * An attribute's value as debugfs's {@code ea_get} writes it to a file (ACLs converted to the
   * xattr format, unless {@code raw}); null if debugfs finds none.
   */
  public static byte[] eaGet(Path image, String path, String name, boolean raw)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("ea", ".bin");
    try {
      Files.delete(out);
      String r =
          debugfs(
              image,
              false,
              "ea_get " + (raw ? "-r " : "") + "-f " + out + " \"" + path + "\" " + name);
      return Files.exists(out) && !r.contains("not found") ? Files.readAllBytes(out) : null;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** {@code debugfs -w ea_set -f FILE}: sets an attribute's value from bytes. */
  public static void eaSet(Path image, String path, String name, byte[] value)
      throws IOException, InterruptedException {
    Path in = Files.createTempFile("ea", ".bin");
    try {
      Files.write(in, value);
      String r = debugfs(image, true, "ea_set -f " + in + " \"" + path + "\" " + name);
      if (r.contains("ea_set:")) {
        throw new IOException("debugfs ea_set failed: " + r);
      }
    } finally {
      Files.deleteIfExists(in);
    }
  }

  /** {@code e2fsck -fn}: fails with its output unless the image is clean. */
  public static void fsckClean(Path image) throws IOException, InterruptedException {
    run(List.of(tool("e2fsck"), "-fn", image.toString()));
  }
}
