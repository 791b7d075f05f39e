package org.mpage.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NBD rows end to end on a 4 MiB file, against a real qemu-nbd (skipped without one). */
class NbdRowsTest {
  @TempDir Path work;

  private static boolean installed(String name) {
    try {
      Tools.find(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void readAndWriteRowsOverQemuNbd() throws Exception {
    assumeTrue(installed("qemu-nbd"), "qemu-nbd not installed (apt-get install qemu-utils)");
    assumeTrue(installed("mke2fs") && installed("e2fsck"), "e2fsprogs not installed");
    Options o = new Options(4, 4, 1, 10, work, null, Path.of("mpage"), "./mpage bench");
    Path src = Files.createDirectories(work.resolve("src"));
    Path big = src.resolve("big.bin");
    long crc = SourceFiles.makeFile(big, 4L * SourceFiles.MIB);
    Report report = new Report();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    new NbdRows(o, new PrintStream(log, true, StandardCharsets.UTF_8), report)
        .run(work, src, big, crc);
    List<Report.Row> rows = report.rows();
    assertEquals(List.of(), report.notes());
    assertEquals(2, rows.size(), rows::toString);
    assertEquals(
        "read 4 MiB, 4K blocks, over NBD (qemu-nbd on a Unix socket): mpage vs mpage on the file"
            + " device",
        rows.get(0).what());
    assertTrue(rows.get(1).what().startsWith("write 4 MiB, 4K blocks, over NBD"), rows::toString);
    for (Report.Row r : rows) {
      assertTrue(r.mpage().endsWith(" MiB/s") && r.baseline().endsWith(" MiB/s"), r::toString);
      assertTrue(r.ratio().matches("[0-9.]+x"), r::toString);
    }
    // The images it made are gone.
    try (var s = Files.list(work)) {
      assertEquals(List.of(src), s.toList());
    }
  }
}
