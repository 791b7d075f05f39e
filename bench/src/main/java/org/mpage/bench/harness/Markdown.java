package org.mpage.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Replaces the harness's section of BENCHMARKS.md (between markers), or adds it at the top. */
final class Markdown {
  static final String BEGIN = "<!-- bench:begin (written by ./mpage bench) -->";
  static final String END = "<!-- bench:end -->";

  private Markdown() {}

  static void update(Path file, String section) throws IOException {
    String block = BEGIN + "\n" + section + END + "\n";
    String text =
        Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    String updated;
    if (b >= 0 && e > b) {
      updated =
          text.substring(0, b) + block + text.substring(e + END.length()).replaceFirst("^\n", "");
    } else {
      int firstSection = text.indexOf("\n## ");
      updated =
          firstSection < 0
              ? text + "\n" + block
              : text.substring(0, firstSection + 1)
                  + block
                  + "\n"
                  + text.substring(firstSection + 1);
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}
