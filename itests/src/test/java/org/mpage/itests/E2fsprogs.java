package org.mpage.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** mke2fs, debugfs and e2fsck as processes: the oracle for what the stack wrote. */
final class E2fsprogs {
  private E2fsprogs() {}

  static String tool(String name) {
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return dir + "/" + name;
      }
    }
    return name;
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of(cmd));
    c.set(0, tool(c.get(0)));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", c) + " failed (" + p.exitValue() + "):\n" + out);
    }
    return out;
  }

  /** A 1 KiB-block ext2 of {@code size} populated from {@code dir}. */
  static Path mkfs(Path image, String size, Path dir) throws IOException, InterruptedException {
    run(
        "mke2fs",
        "-q",
        "-F",
        "-t",
        "ext2",
        "-b",
        "1024",
        "-d",
        dir.toString(),
        image.toString(),
        size);
    return image;
  }

  /** {@code e2fsck -fn}: throws with its output unless the filesystem is clean. */
  static void fsck(Path image) throws IOException, InterruptedException {
    run("e2fsck", "-fn", image.toString());
  }

  static byte[] dump(Path image, String path, Path out) throws IOException, InterruptedException {
    run("debugfs", "-R", "dump " + path + " " + out, image.toString());
    return Files.readAllBytes(out);
  }
}
