package org.mpage.bench.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The bench's results and how they are written: the rows of the table and the notes under it as the
 * measures add them, the markdown table printed on standard output, and the section of
 * BENCHMARKS.md that says what was run, where, and what each baseline is. The formatting helpers
 * are shared by every measure so that all rows read alike.
 */
final class Report {
  /** One line of the result table. */
  record Row(String what, String mpage, String baseline, String ratio, String target, String met) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private boolean plotted;

  /** The rows so far, in table order; measures append to it. */
  List<Row> rows() {
    return rows;
  }

  /** The notes printed under the table; measures append to it. */
  List<String> notes() {
    return notes;
  }

  /** Records that the I/O pattern picture was drawn, so the section links it. */
  void plotted() {
    plotted = true;
  }

  /**
   * A row comparing mpage's time with a baseline's on the same bytes: throughputs and the ratio
   * baseline / mpage, against {@code target} (0 for none).
   */
  void speed(String what, long bytes, double mpageNanos, double baseNanos, double target) {
    double r = baseNanos / mpageNanos;
    rows.add(
        new Row(
            what,
            mibps(bytes, mpageNanos),
            mibps(bytes, baseNanos),
            ratio(r),
            target > 0 ? ">= " + plain(target) : "",
            target > 0 ? met(r >= target) : ""));
  }

  // ---- figures -----------------------------------------------------------------------------

  static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  }

  static String mibps(long bytes, double nanos) {
    return String.format(
        Locale.ROOT, "%.0f MiB/s", bytes / (double) SourceFiles.MIB / (nanos / 1e9));
  }

  static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2fx", r);
  }

  static String met(boolean ok) {
    return ok ? "met" : "**not met**";
  }

  /** A number as the targets show it: no trailing zeros. */
  static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  // ---- output ------------------------------------------------------------------------------

  /** The rows as a markdown table, one line per row. */
  String table() {
    StringBuilder sb = new StringBuilder();
    sb.append("| measure | mpage | baseline | ratio | target | |\n|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(
          String.format(
              "| %s | %s | %s | %s | %s | %s |%n",
              r.what(), r.mpage(), r.baseline(), r.ratio(), r.target(), r.met()));
    }
    return sb.toString();
  }

  /**
   * The BENCHMARKS.md section around {@code table}: date, machine, the command and its sizes, what
   * the baselines are and how the whole-process rows are taken, then the notes and the picture.
   */
  String section(Options o, String table) throws IOException, InterruptedException {
    String machine =
        String.format(
            Locale.ROOT,
            "%d cores, %d GiB memory, %s %s, %s",
            Runtime.getRuntime().availableProcessors(),
            ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize()
                >> 30,
            System.getProperty("java.vm.name"),
            System.getProperty("java.version"),
            Tools.run("uname", "-srm").strip());
    StringBuilder sb = new StringBuilder();
    sb.append("## Latest `./mpage bench` (").append(LocalDate.now(ZoneOffset.UTC)).append(")\n\n");
    sb.append("Machine: ").append(machine).append(".  \n");
    sb.append("Command: `")
        .append(o.command())
        .append("` (")
        .append(o.sizeMib())
        .append(" MiB files in-process, ")
        .append(o.processMib())
        .append(" MiB whole-process, ")
        .append(o.files())
        .append(" small files of 1-64 KiB, medians of ")
        .append(o.reps())
        .append(
            " repetitions; ratios are baseline time / mpage time, so above 1 means"
                + " mpage is faster, except BIOs, which is mpage / minimum).\n\n");
    sb.append(
        "Baselines, in the same run: `FileChannel` positional 1 MiB reads of the same byte count"
            + " from the image (host page cache warm, as for every contender); `debugfs -R \"dump\"` to"
            + " /dev/null, `debugfs -w -R \"write\"` into a fresh image, `debugfs -R \"rdump\"`; the"
            + " engine's buffer path (`--data-path buffer`: `block_read_full_folio` per page). mpage"
            + " runs in-process like `./mpage`, with 1 MiB readahead; debugfs times include its process"
            + " start. The zero-copy rows read with `FileHandle.transferTo` into a `FileChannel` on"
            + " /dev/null. The NBD rows mount the image through the `nbd` device on `qemu-nbd -f raw`"
            + " serving it on a Unix socket (read-only for the read), against mpage mounting the"
            + " same image through the file device, same engine settings; the write rows time"
            + " mount, write, fsync and unmount, and every image written passed `e2fsck -fn`.\n\n");
    sb.append(
        "Whole-process rows run `./mpage` (the script, JVM start included) and debugfs as"
            + " processes, images and outputs on tmpfs (/dev/shm, unless a note below says"
            + " otherwise), standard output to /dev/null."
            + " Marginal per GiB: the median time on the "
            + o.processMib()
            + " MiB file less the median time on a 1 MiB file, scaled to 1 GiB, for each tool;"
            + " the ratio is debugfs' marginal time over mpage's. `put` writes into a fresh"
            + " `mke2fs -t ext2 -b 4096` image each time and ends with fsync and a clean unmount;"
            + " every image it wrote passed `e2fsck -fn`. Peak RSS: `"
            + PeakRss.method()
            + "`.\n\n");
    sb.append(table);
    for (String n : notes) {
      sb.append("\n- ").append(n);
    }
    if (plotted) {
      sb.append(
          "\nThe I/O pattern of an 8 MiB read on a 1 KiB-block ext2, drawn from `--trace` output"
              + " (sector against time; mpage left, the buffer path right):\n\n![I/O pattern]("
              + IoPatternPlot.PLOT
              + ")\n");
    }
    sb.append('\n');
    return sb.toString();
  }
}
