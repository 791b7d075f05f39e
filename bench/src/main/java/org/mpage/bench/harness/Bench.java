package org.mpage.bench.harness;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./mpage bench}: makes its own images with mke2fs and measures, in one run and as medians
 * over repetitions, mpage against what a user would use instead: a raw {@link
 * java.nio.channels.FileChannel} read of the same bytes (the limit), {@code debugfs dump}/{@code
 * write}/{@code rdump}, and the engine's own buffer path. Prints a table of ratios and writes it
 * into BENCHMARKS.md.
 *
 * <p>This class only runs the measures in order: {@link Options} parses the command line, {@link
 * InProcess} and {@link WholeProcess} take the figures, {@link IoPatternPlot} draws the picture,
 * and {@link Report} formats the table and the BENCHMARKS.md section that {@link Markdown} puts in
 * place.
 */
public final class Bench {
  private final Options o;
  private final PrintStream log;
  private final Report report = new Report();

  Bench(Options o, PrintStream log) {
    this.o = o;
    this.log = log;
  }

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    try {
      Options o = Options.parse(args);
      new Bench(o, System.err).run(System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("mpage: bench: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
    } catch (Exception e) {
      System.err.println("mpage: bench: " + e.getMessage());
      System.exit(1);
    }
  }

  void run(PrintStream out) throws Exception {
    Tools.find("mke2fs");
    Tools.find("debugfs");
    Tools.find("e2fsck");
    Path work = o.work() != null ? o.work() : Files.createTempDirectory("mpage-bench");
    Files.createDirectories(work);
    try {
      Path src = work.resolve("src");
      Files.createDirectories(src);
      Path big = src.resolve("big.bin");
      step("making a " + o.sizeMib() + " MiB source file");
      long crc = SourceFiles.makeFile(big, (long) o.sizeMib() * SourceFiles.MIB);
      InProcess inProcess = new InProcess(o, log, report);
      for (int bs : new int[] {4096, 1024}) {
        inProcess.readBench(work, src, bs, crc);
      }
      inProcess.ext4ReadBench(work, src, crc);
      inProcess.writeBench(work, big);
      new NbdRows(o, log, report).run(work, src, big, crc);
      Path tree = work.resolve("tree");
      Path smallImage = work.resolve("small.img");
      inProcess.smallFiles(tree, smallImage);
      new WholeProcess(o.cli(), o.processMib(), o.reps(), log, report.rows(), report.notes())
          .run(work, tree, smallImage, o.files());
      if (o.markdown() != null) {
        Path svg = o.markdown().toAbsolutePath().getParent().resolve(IoPatternPlot.PLOT);
        IoPatternPlot.plot(work, svg, log);
        report.plotted();
      }
    } finally {
      if (o.work() == null) {
        Tools.deleteTree(work);
      }
    }
    String table = report.table();
    out.println(table);
    for (String n : report.notes()) {
      out.println("- " + n);
    }
    if (o.markdown() != null) {
      Markdown.update(o.markdown(), report.section(o, table));
      step("table written to " + o.markdown());
    }
  }

  private void step(String s) {
    log.println("bench: " + s);
  }
}
