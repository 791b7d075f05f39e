package org.mpage.bench.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.cli.Session;

/**
 * {@code ./mpage bench}: makes its own images with mke2fs and measures, in one run and as medians
 * over repetitions, mpage against what a user would use instead: a raw {@link FileChannel} read of
 * the same bytes (the limit), {@code debugfs dump}/{@code write}/{@code rdump}, and the engine's
 * own buffer path. Prints a table of ratios and writes it into BENCHMARKS.md.
 */
public final class Bench {
  private static final int MIB = 1 << 20;

  /** Issue 12's heap target for the mpage read path: 16 KB (decimal, as the table prints). */
  private static final long HEAP_PER_MIB_TARGET = 16_000;

  private static final String USAGE =
      "usage: mpage bench [--quick] [--size MIB] [--process-size MIB] [--reps N] [--files N]"
          + " [--work DIR]"
          + " [--markdown FILE|--no-markdown] [--cli MPAGE_SCRIPT]";

  private final Options o;
  private final PrintStream log;
  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** One line of the result table. */
  record Row(String what, String mpage, String baseline, String ratio, String target, String met) {}

  /** Command-line options. */
  record Options(
      int sizeMib,
      int processMib,
      int reps,
      int files,
      Path work,
      Path markdown,
      Path cli,
      String command) {}

  Bench(Options o, PrintStream log) {
    this.o = o;
    this.log = log;
  }

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    try {
      Options o = parse(args);
      new Bench(o, System.err).run(System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("mpage: bench: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    } catch (Exception e) {
      System.err.println("mpage: bench: " + e.getMessage());
      System.exit(1);
    }
  }

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
      long crc = makeFile(big, (long) o.sizeMib() * MIB);
      for (int bs : new int[] {4096, 1024}) {
        readBench(work, src, bs, crc);
      }
      writeBench(work, big);
      Path tree = work.resolve("tree");
      Path smallImage = work.resolve("small.img");
      smallFiles(tree, smallImage);
      new WholeProcess(o.cli(), o.processMib(), o.reps(), log, rows, notes)
          .run(work, tree, smallImage, o.files());
      if (o.markdown() != null) {
        plot(work, o.markdown().toAbsolutePath().getParent().resolve(PLOT));
      }
    } finally {
      if (o.work() == null) {
        Tools.deleteTree(work);
      }
    }
    String table = table();
    out.println(table);
    for (String n : notes) {
      out.println("- " + n);
    }
    if (o.markdown() != null) {
      Markdown.update(o.markdown(), section(table));
      step("table written to " + o.markdown());
    }
  }

  private void step(String s) {
    log.println("bench: " + s);
  }

  // ---- reads -------------------------------------------------------------------------------

  private void readBench(Path work, Path src, int bs, long crc) throws Exception {
    Path image = work.resolve("read-" + bs + ".img");
    long imageMib = (long) o.sizeMib() + o.sizeMib() / 8 + 16;
    step("mke2fs -b " + bs + ": " + imageMib + " MiB image holding the file");
    Tools.mke2fs(image, bs, src, imageMib);
    long bytes = (long) o.sizeMib() * MIB;
    long[] raw = new long[o.reps()];
    long[] mp = new long[o.reps()];
    long[] buf = new long[o.reps()];
    long[] dbg = new long[o.reps()];
    long[] zc = new long[o.reps()];
    Measured m = null;
    Measured b = null;
    for (int r = 0; r < o.reps(); r++) {
      step("read " + bs + "-byte blocks, repetition " + (r + 1) + "/" + o.reps());
      raw[r] = rawRead(image, bytes);
      Measured mr = readThrough(image, "mpage", r == 0 ? crc : -1);
      mp[r] = mr.nanos();
      m = m == null ? mr : m;
      Measured br = readThrough(image, "buffer", -1);
      buf[r] = br.nanos();
      b = b == null ? br : b;
      zc[r] = transferThrough(image, bytes, r == 0 ? crc : -1);
      dbg[r] = Tools.time("debugfs", "-R", "dump /big.bin /dev/null", image.toString());
    }
    long minBios =
        Extents.minimumReadBios(
            Tools.run("debugfs", "-R", "stat /big.bin", image.toString()), bs, MIB);
    String label = "read " + o.sizeMib() + " MiB, " + bs / 1024 + "K blocks";
    double tm = median(mp);
    speed(label + ": mpage vs raw FileChannel", bytes, tm, median(raw), bs == 4096 ? 0.5 : 0);
    speed(
        label + ": zero-copy transferTo to /dev/null vs raw FileChannel",
        bytes,
        median(zc),
        median(raw),
        bs == 4096 ? 0.8 : 0);
    speed(label + ": mpage vs debugfs dump", bytes, tm, median(dbg), bs == 4096 ? 2 : 0);
    speed(label + ": mpage vs buffer path", bytes, tm, median(buf), 0);
    rows.add(
        new Row(
            label + ": data read BIOs (minimum " + minBios + ")",
            Long.toString(m.bios()),
            Long.toString(b.bios()) + " (buffer path)",
            ratio((double) m.bios() / minBios) + " of min",
            "<= 1.3x min",
            met(m.bios() <= 1.3 * minBios)));
    rows.add(
        new Row(
            label + ": get_block calls per MiB",
            String.format(Locale.ROOT, "%.1f", m.getBlocks() / (double) o.sizeMib()),
            String.format(Locale.ROOT, "%.1f", b.getBlocks() / (double) o.sizeMib())
                + " (buffer path)",
            "",
            "",
            ""));
    rows.add(
        new Row(
            label + ": heap bytes allocated per MiB",
            Long.toString(m.heapBytes() / o.sizeMib()),
            Long.toString(b.heapBytes() / o.sizeMib()) + " (buffer path)",
            "",
            "<= 16 KB",
            met(m.heapBytes() / o.sizeMib() <= HEAP_PER_MIB_TARGET)));
    Files.delete(image);
  }

  /**
   * An image mounted as {@code ./mpage} mounts it (file device, 1 MiB readahead, 64 MiB cache),
   * with file data through {@code dataPath} ({@code mpage} or {@code buffer}) and an optional BIO
   * trace.
   */
  private static Session mount(Path image, boolean readOnly, String dataPath, Path trace)
      throws IOException {
    Map<String, String> o = new HashMap<>();
    o.put("dirty.pages", "4096");
    o.put("data.path", dataPath);
    if (trace != null) {
      o.put("trace.file", trace.toString());
    }
    return Session.open(image, "file", readOnly, o);
  }

  private static long stat(Session s, String key) {
    return s.engine().statistics().getOrDefault(key, 0L);
  }

  /**
   * A row comparing mpage's time with a baseline's on the same bytes: throughputs and the ratio
   * baseline / mpage, against {@code target} (0 for none).
   */
  private void speed(String what, long bytes, double mpageNanos, double baseNanos, double target) {
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

  /** Time, BIOs, get_block calls and heap allocation of one read of /big.bin. */
  record Measured(long nanos, long bios, long getBlocks, long heapBytes) {}

  private static Measured readThrough(Path image, String dataPath, long expectCrc)
      throws Exception {
    try (Session s = mount(image, true, dataPath, null)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
      byte[] copy = expectCrc >= 0 ? new byte[MIB] : null;
      CRC32 crc = new CRC32();
      long heap0 = allocatedBytes();
      long t0 = System.nanoTime();
      try (FileHandle h = s.fileSystem().open("/big.bin")) {
        long pos = 0;
        for (int n; (n = h.read(pos, buf.clear())) > 0; ) {
          pos += n;
          if (copy != null) {
            buf.flip().get(copy, 0, n);
            crc.update(copy, 0, n);
          }
        }
      }
      long nanos = System.nanoTime() - t0;
      long heap = allocatedBytes() - heap0;
      if (expectCrc >= 0 && crc.getValue() != expectCrc) {
        throw new IOException("mpage read wrong bytes from " + image);
      }
      long dataBios = stat(s, "bios.read") - stat(s, "bios.read.meta");
      return new Measured(nanos, dataBios, stat(s, "get_block.calls"), heap);
    }
  }

  /**
   * Time of one zero-copy read of /big.bin: {@link FileHandle#transferTo} into a channel on
   * /dev/null, or, when {@code expectCrc} is not negative, into one that checks the bytes.
   */
  private static long transferThrough(Path image, long bytes, long expectCrc) throws Exception {
    try (Session s = mount(image, true, "mpage", null);
        WritableByteChannel sink =
            expectCrc >= 0
                ? new CrcChannel()
                : FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE)) {
      long t0 = System.nanoTime();
      long n;
      try (FileHandle h = s.fileSystem().open("/big.bin")) {
        n = h.transferTo(0, h.size(), sink);
      }
      long nanos = System.nanoTime() - t0;
      if (n != bytes || (sink instanceof CrcChannel c && c.crc() != expectCrc)) {
        throw new IOException("transferTo delivered wrong bytes from " + image);
      }
      return nanos;
    }
  }

  /** Bytes allocated on the heap so far by every live thread (the device workers included). */
  static long allocatedBytes() {
    var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = bean.getAllThreadIds();
    return Arrays.stream(bean.getThreadAllocatedBytes(ids)).filter(v -> v > 0).sum();
  }

  private static long rawRead(Path image, long bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
    long t0 = System.nanoTime();
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      long pos = 0;
      while (pos < bytes) {
        int n = ch.read(buf.clear(), pos);
        if (n <= 0) {
          break;
        }
        pos += n;
      }
    }
    return System.nanoTime() - t0;
  }

  // ---- writes ------------------------------------------------------------------------------

  private void writeBench(Path work, Path big) throws Exception {
    long bytes = Files.size(big);
    long imageMib = (long) o.sizeMib() + o.sizeMib() / 8 + 16;
    long[] mp = new long[o.reps()];
    long[] dbg = new long[o.reps()];
    long bios = 0;
    for (int r = 0; r < o.reps(); r++) {
      step("write " + o.sizeMib() + " MiB, repetition " + (r + 1) + "/" + o.reps());
      Path a = work.resolve("write-a.img");
      Path b = work.resolve("write-b.img");
      for (Path img : List.of(a, b)) {
        Tools.mke2fs(img, 4096, null, imageMib);
      }
      long t0 = System.nanoTime();
      try (Session s = mount(a, false, "mpage", null);
          FileChannel in = FileChannel.open(big, StandardOpenOption.READ);
          FileHandle h = s.fileSystem().openWrite("/big.bin", true, true, 0644)) {
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        long pos = 0;
        for (int n; (n = in.read(buf.clear(), pos)) > 0; ) {
          buf.flip();
          while (buf.hasRemaining()) {
            pos += h.write(pos, buf);
          }
        }
        h.fsync();
        bios = stat(s, "bios.write");
      }
      mp[r] = System.nanoTime() - t0;
      dbg[r] = Tools.time("debugfs", "-w", "-R", "write " + big + " /big.bin", b.toString());
      if (r == 0) {
        Tools.run("e2fsck", "-fn", a.toString());
      }
      Files.delete(a);
      Files.delete(b);
    }
    double tm = median(mp);
    speed(
        "write " + o.sizeMib() + " MiB, 4K blocks: mpage vs debugfs write",
        bytes,
        tm,
        median(dbg),
        2);
    rows.add(
        new Row(
            "write "
                + o.sizeMib()
                + " MiB: write BIOs (minimum about "
                + (bytes + MIB - 1) / MIB
                + ")",
            Long.toString(bios),
            "",
            "",
            "",
            ""));
  }

  // ---- small files -------------------------------------------------------------------------

  /**
   * The small-file tree (1 to 64 KiB per file, in 20 directories) and its image, used here and by
   * the whole-process {@code get -r} row.
   */
  private void smallFiles(Path tree, Path image) throws Exception {
    step("making " + o.files() + " small files");
    long total = 0;
    for (int i = 0; i < o.files(); i++) {
      Path dir = Files.createDirectories(tree.resolve("d" + i % 20));
      byte[] b = content(i, 1024 + (i * 7919) % (63 * 1024 + 1));
      Files.write(dir.resolve("f" + i), b);
      total += b.length;
    }
    Tools.mke2fs(image, 4096, tree, total / MIB * 2 + 32);
    long[] mp = new long[o.reps()];
    long[] dbg = new long[o.reps()];
    for (int r = 0; r < o.reps(); r++) {
      step("copy-out of " + o.files() + " files, repetition " + (r + 1) + "/" + o.reps());
      Path outA = tree.resolveSibling("out-a");
      Path outB = tree.resolveSibling("out-b");
      Tools.deleteTree(outA);
      Tools.deleteTree(outB);
      Files.createDirectories(outB);
      long t0 = System.nanoTime();
      try (Session s = mount(image, true, "mpage", null)) {
        copyOut(s.fileSystem(), "/", outA);
      }
      mp[r] = System.nanoTime() - t0;
      dbg[r] = Tools.time("debugfs", "-R", "rdump / " + outB, image.toString());
      if (r == 0) {
        verifyTree(tree, outA);
      }
    }
    double tm = median(mp);
    rows.add(
        new Row(
            "copy-out of " + o.files() + " small files: mpage vs debugfs rdump",
            String.format(Locale.ROOT, "%.0f files/s", o.files() / (tm / 1e9)),
            String.format(Locale.ROOT, "%.0f files/s", o.files() / (median(dbg) / 1e9)),
            ratio(median(dbg) / tm),
            "> 1",
            met(median(dbg) / tm > 1)));
  }

  private static void copyOut(FileSystem fs, String dir, Path to) throws IOException {
    Files.createDirectories(to);
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    for (DirEntry e : fs.list(dir)) {
      String path = dir.endsWith("/") ? dir + e.name() : dir + "/" + e.name();
      if (e.type() == FileType.DIRECTORY) {
        copyOut(fs, path, to.resolve(e.name()));
      } else if (e.type() == FileType.REGULAR) {
        try (FileHandle h = fs.open(path);
            OutputStream out = Files.newOutputStream(to.resolve(e.name()))) {
          long pos = 0;
          for (int n; (n = h.read(pos, buf.clear())) > 0; ) {
            out.write(buf.array(), 0, n);
            pos += n;
          }
        }
      }
    }
  }

  static void verifyTree(Path expected, Path actual) throws IOException {
    try (var s = Files.walk(expected)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Path q = actual.resolve(expected.relativize(p).toString());
        if (!Arrays.equals(Files.readAllBytes(p), Files.readAllBytes(q))) {
          throw new IOException("copy-out differs at " + q);
        }
      }
    }
  }

  // ---- the I/O pattern picture ------------------------------------------------------------

  static final String PLOT = "docs/io-pattern.svg";

  /**
   * Reads an 8 MiB file on a 1 KiB-block ext2 through mpage and through the buffer path with BIO
   * tracing on, and draws both traces side by side.
   */
  private void plot(Path work, Path svg) throws Exception {
    step("tracing an 8 MiB read through mpage and the buffer path for " + svg);
    Path src = Files.createDirectories(work.resolve("plot-src"));
    makeFile(src.resolve("file"), 8L * MIB);
    Path image = work.resolve("plot.img");
    Tools.mke2fs(image, 1024, src, 16);
    List<org.mpage.cli.TracePlot.Trace> traces = new ArrayList<>();
    for (String path : List.of("mpage", "buffer")) {
      Path trace = work.resolve(path.equals("mpage") ? "mpage" : "buffer path");
      try (Session s = mount(image, true, path, trace);
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
      traces.add(org.mpage.cli.TracePlot.read(trace));
    }
    Files.createDirectories(svg.getParent());
    try (var w = Files.newBufferedWriter(svg, StandardCharsets.UTF_8)) {
      org.mpage.cli.TracePlot.write(traces, w);
    }
    plotted = true;
  }

  private boolean plotted;

  // ---- helpers -----------------------------------------------------------------------------

  static long makeFile(Path file, long bytes) throws IOException {
    CRC32 crc = new CRC32();
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (long pos = 0; pos < bytes; pos += MIB) {
        byte[] b = content((int) (pos / MIB), (int) Math.min(MIB, bytes - pos));
        crc.update(b);
        ch.write(ByteBuffer.wrap(b), pos);
      }
    }
    return crc.getValue();
  }

  static byte[] content(int seed, int size) {
    byte[] b = new byte[size];
    long x = 0x9E3779B97F4A7C15L * (seed + 1);
    for (int i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      b[i] = (byte) x;
    }
    return b;
  }

  static double median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  }

  private static String mibps(long bytes, double nanos) {
    return String.format(Locale.ROOT, "%.0f MiB/s", bytes / (double) MIB / (nanos / 1e9));
  }

  static String ratio(double r) {
    return String.format(Locale.ROOT, "%.2fx", r);
  }

  static String met(boolean ok) {
    return ok ? "met" : "**not met**";
  }

  /** A number as the targets show it: no trailing zeros. */
  static String plain(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

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

  private String section(String table) throws IOException, InterruptedException {
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
    sb.append("## Latest `./mpage bench` (")
        .append(LocalDate.now(java.time.ZoneOffset.UTC))
        .append(")\n\n");
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
            + " /dev/null.\n\n");
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
              + PLOT
              + ")\n");
    }
    sb.append('\n');
    return sb.toString();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
