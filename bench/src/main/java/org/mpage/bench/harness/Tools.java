package org.mpage.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/** e2fsprogs (and other programs) run as processes, found on PATH or in /sbin. */
final class Tools {
  private Tools() {}

  static String find(String name) throws IOException {
    if (name.contains("/")) {
      return name;
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":", -1)));
    }
    dirs.addAll(List.of("/usr/sbin", "/sbin"));
    for (String d : dirs) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name).toString();
      }
    }
    throw new IOException(name + " not found (install e2fsprogs: apt-get install e2fsprogs)");
  }

  /** The command with its program replaced by the program's full path. */
  static List<String> resolve(List<String> cmd) throws IOException {
    List<String> c = new ArrayList<>(cmd);
    c.set(0, find(c.get(0)));
    return c;
  }

  /** Runs a program, returns its output; fails with the output if the exit status is not 0. */
  /**
   * {@code mke2fs -t ext2 -b BLOCKSIZE [-d FROM] IMAGE MIBM}: an image of {@code mib} MiB, filled
   * from {@code from} when that is not null.
   */
  static void mke2fs(Path image, int blockSize, Path from, long mib)
      throws IOException, InterruptedException {
    java.util.List<String> cmd =
        new java.util.ArrayList<>(
            java.util.List.of(
                "mke2fs", "-q", "-F", "-t", "ext2", "-b", Integer.toString(blockSize)));
    if (from != null) {
      cmd.add("-d");
      cmd.add(from.toString());
    }
    cmd.add(image.toString());
    cmd.add(mib + "M");
    run(cmd.toArray(new String[0]));
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    List<String> c = resolve(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", c) + " failed (" + p.exitValue() + "):\n" + out);
    }
    return out;
  }

  /** Runs a program and returns its wall time in nanoseconds. */
  static long time(String... cmd) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    run(cmd);
    return System.nanoTime() - t0;
  }

  /** The line debugfs prints on stderr on every start: not an error. */
  private static final Pattern DEBUGFS_BANNER =
      Pattern.compile("(?m)^debugfs \\d[^\n]*\\(.*\\)\\n?");

  /**
   * Runs a program with its standard output going to /dev/null (a real /dev/null descriptor, as a
   * shell's {@code > /dev/null} gives) and returns its wall time in nanoseconds. Fails if the exit
   * status is not 0 or if the program wrote anything to stderr besides debugfs' version line:
   * debugfs exits 0 when a command fails, so its messages are the only sign of it.
   */
  static long timeSilent(String... cmd) throws IOException, InterruptedException {
    List<String> c = resolve(List.of(cmd));
    Path err = Files.createTempFile("mpage-bench", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(c)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(err.toFile());
      long t0 = System.nanoTime();
      int status = pb.start().waitFor();
      long nanos = System.nanoTime() - t0;
      String said =
          DEBUGFS_BANNER.matcher(Files.readString(err, StandardCharsets.UTF_8)).replaceAll("");
      if (status != 0 || !said.isBlank()) {
        throw new IOException(String.join(" ", c) + " failed (" + status + "):\n" + said);
      }
      return nanos;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /** Byte count and CRC-32 of a stream. */
  record Sum(long bytes, long crc) {}

  static Sum sum(InputStream in) throws IOException {
    CRC32 crc = new CRC32();
    byte[] b = new byte[1 << 16];
    long bytes = 0;
    for (int n; (n = in.read(b)) > 0; ) {
      crc.update(b, 0, n);
      bytes += n;
    }
    return new Sum(bytes, crc.getValue());
  }

  /** Byte count and CRC-32 of what a program writes to stdout; fails if it exits with non-0. */
  static Sum sumOfOutput(String... cmd) throws IOException, InterruptedException {
    List<String> c = resolve(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Sum s;
    try (InputStream in = p.getInputStream()) {
      s = sum(in);
    }
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", c) + " failed (" + p.exitValue() + ")");
    }
    return s;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
