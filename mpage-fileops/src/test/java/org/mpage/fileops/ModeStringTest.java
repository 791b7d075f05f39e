package org.mpage.fileops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;

/** The mode column of {@code ls -l}, against coreutils' own on host files of the same modes. */
class ModeStringTest {
  @TempDir Path work;

  @Test
  void everySpecialBitCombination_readsAsCoreutilsLsPrintsIt() throws Exception {
    int[] modes = {0755, 0644, 04755, 04644, 02755, 02644, 01777, 01776, 07777, 07000, 06711, 0};
    for (int mode : modes) {
      for (FileType type : new FileType[] {FileType.REGULAR, FileType.DIRECTORY}) {
        Path p = work.resolve(type + "-" + Integer.toOctalString(mode));
        if (type == FileType.DIRECTORY) {
          Files.createDirectory(p);
        } else {
          Files.createFile(p);
        }
        run("chmod", Integer.toOctalString(mode), p.toString());
        String ls = run("ls", "-ld", p.toString()).substring(0, 10);
        FileStat st = new FileStat(1, type, mode, 1, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(ls, Formats.modeString(st), Integer.toOctalString(mode) + " " + type);
        run("chmod", "0755", p.toString()); // so that @TempDir can clean up
      }
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return out;
  }
}
