package org.mpage.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** e2fsprogs run as processes: mke2fs makes the images, e2fsck and debugfs check them. */
final class E2fs {
  private E2fs() {}

  static String run(String... cmd) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of(cmd));
    for (String dir : List.of("/usr/sbin", "/sbin")) {
      if (Files.isExecutable(Path.of(dir, cmd[0]))) {
        c.set(0, dir + "/" + cmd[0]);
        break;
      }
    }
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", c) + " failed (" + p.exitValue() + "):\n" + out);
    }
    return out;
  }
}
