package org.mpage.bench.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code ./mpage bench}, and the command line they are recorded under next to the
 * figures.
 *
 * @param sizeMib the in-process file size
 * @param processMib the whole-process file size
 * @param reps repetitions of each measure (the table shows medians)
 * @param files the number of small files
 * @param work where images go, or null for a temporary directory removed afterwards
 * @param markdown the file whose bench section is rewritten, or null for none
 * @param cli the {@code ./mpage} script the whole-process rows run
 * @param command what the user typed, without the script's own plumbing options
 */
record Options(
    int sizeMib,
    int processMib,
    int reps,
    int files,
    Path work,
    Path markdown,
    Path cli,
    String command) {

  static final String USAGE =
      "usage: mpage bench [--quick] [--size MIB] [--process-size MIB] [--reps N] [--files N]"
          + " [--work DIR]"
          + " [--markdown FILE|--no-markdown] [--cli MPAGE_SCRIPT]";

  /**
   * Parses the command line.
   *
   * @throws IllegalArgumentException on an unknown option or a missing or bad value
   */
  static Options parse(String[] args) {
    int size = 512;
    int processSize = 1024;
    int reps = 5;
    int files = 2000;
    Path work = null;
    Path md = Path.of("BENCHMARKS.md");
    Path cli = Path.of("mpage");
    List<String> cmd = new ArrayList<>(List.of("./mpage", "bench"));
    for (int i = 0; i < args.length; i++) {
      String opt = args[i];
      switch (opt) {
        case "--quick" -> {
          size = 64;
          processSize = 64;
          reps = 3;
          files = 400;
        }
        case "--size" -> size = positive(args, ++i);
        case "--process-size" -> processSize = positive(args, ++i);
        case "--reps" -> reps = positive(args, ++i);
        case "--files" -> files = positive(args, ++i);
        case "--work" -> work = Path.of(value(args, ++i));
        case "--markdown" -> md = Path.of(value(args, ++i));
        case "--no-markdown" -> md = null;
        case "--cli" -> cli = Path.of(value(args, ++i));
        default -> throw new IllegalArgumentException("unknown option " + opt);
      }
      // The command recorded with the figures: what a user typed, not the script's plumbing.
      if (!opt.equals("--markdown") && !opt.equals("--cli") && !opt.equals("--work")) {
        cmd.add(opt);
        if (i < args.length && !args[i].equals(opt)) {
          cmd.add(args[i]);
        }
      }
    }
    return new Options(size, processSize, reps, files, work, md, cli, String.join(" ", cmd));
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int positive(String[] args, int i) {
    try {
      int v = Integer.parseInt(value(args, i));
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(args[i - 1] + " takes a positive number", e);
    }
  }
}
