package org.mpage.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

  /** Runs a program, returns its output; fails with the output if the exit status is not 0. */
  static String run(String... cmd) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of(cmd));
    c.set(0, find(c.get(0)));
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
