package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed in the middle of a large copy: e2fsck repairs the image, fsynced files survive.
 */
class Ext2DurabilityTest {
  @TempDir Path work;

  @Test
  void killDuringCopy_fsyncedFilesSurvive_e2fsckRepairs() throws Exception {
    Path image = E2fs.mkfs(work.resolve("d.img"), "64M", null, "-b", "1024");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                DurabilityWriter.class.getName(),
                image.toString())
            .redirectErrorStream(true)
            .start();
    List<Integer> synced = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("SYNCED ")) {
          synced.add(Integer.parseInt(line.substring(7)));
        } else if (line.equals("COPYING")) {
          Thread.sleep(300); // let the copy dirty pages and allocate blocks
          break;
        }
      }
      p.destroyForcibly(); // SIGKILL: no unmount, no sync
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(8, synced.size(), "the writer announced its fsyncs");
    Process fsck =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fy", image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(fsck.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = fsck.waitFor();
    assertTrue(status == 0 || status == 1, "e2fsck -fy exit " + status + ":\n" + out);
    Ext2RandomOpsTest.fsck(image); // and now clean
    try (Mounted m = Mounted.image(image)) {
      for (int i : synced) {
        assertArrayEquals(
            DurabilityWriter.content(i), Ext2ReadTest.readAll(m.fs, "/synced-" + i), "file " + i);
      }
    }
  }
}
