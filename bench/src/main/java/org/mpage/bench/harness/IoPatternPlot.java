package org.mpage.bench.harness;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.FileHandle;
import org.mpage.cli.Session;
import org.mpage.cli.TracePlot;

/**
 * The picture BENCHMARKS.md shows of the I/O pattern: the same read traced through mpage and
 * through the buffer path, drawn side by side, so the difference in BIO sizes is seen, not only
 * counted.
 */
final class IoPatternPlot {
  /** Where the picture goes, relative to the directory of BENCHMARKS.md. */
  static final String PLOT = "docs/io-pattern.svg";

  private static final int MIB = SourceFiles.MIB;

  private IoPatternPlot() {}

  /**
   * Reads an 8 MiB file on a 1 KiB-block ext2 through mpage and through the buffer path with BIO
   * tracing on, and draws both traces side by side into {@code svg}.
   */
  static void plot(Path work, Path svg, PrintStream log) throws Exception {
    log.println("bench: tracing an 8 MiB read through mpage and the buffer path for " + svg);
    Path src = Files.createDirectories(work.resolve("plot-src"));
    SourceFiles.makeFile(src.resolve("file"), 8L * MIB);
    Path image = work.resolve("plot.img");
    Tools.mke2fs(image, 1024, src, 16);
    List<TracePlot.Trace> traces = new ArrayList<>();
    for (String path : List.of("mpage", "buffer")) {
      Path trace = work.resolve(path.equals("mpage") ? "mpage" : "buffer path");
      try (Session s = InProcess.mount(image, true, path, trace);
          FileHandle h = s.fileSystem().open("/file")) {
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        for (long pos = 0; ; ) {
          int n = h.read(pos, buf.clear());
          if (n <= 0) {
            break;
          }
          pos += n;
        }
      }
      traces.add(TracePlot.read(trace));
    }
    Files.createDirectories(svg.getParent());
    try (var w = Files.newBufferedWriter(svg, StandardCharsets.UTF_8)) {
      TracePlot.write(traces, w);
    }
  }
}
