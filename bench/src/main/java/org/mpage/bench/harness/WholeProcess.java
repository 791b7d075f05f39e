package org.mpage.bench.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The rows that run {@code ./mpage} itself as a process, as a user does, against debugfs run the
 * same way: {@code cat} and {@code put} as marginal time per GiB (a big file's time less a 1 MiB
 * file's, so that process start-up drops out), {@code get -r} of the small-file image, the peak RSS
 * of a big {@code cat}, and the start-up time of {@code ls}. Images and outputs live on tmpfs
 * (/dev/shm) where there is one; standard output goes to /dev/null.
 */
final class WholeProcess {
  private static final long MIB = 1 << 20;

  private final Path script;
  private final int sizeMib;
  private final int reps;
  private final PrintStream log;
  private final List<Report.Row> rows;
  private final List<String> notes;

  /** Said in each row's label when the files could not go to tmpfs. */
  private String place = "";

  WholeProcess(
      Path cli, int sizeMib, int reps, PrintStream log, List<Report.Row> rows, List<String> notes) {
    this.script = cli.toAbsolutePath();
    this.sizeMib = sizeMib;
    this.reps = reps;
    this.log = log;
    this.rows = rows;
    this.notes = notes;
  }

  /**
   * Measures every whole-process row; {@code tree} and {@code smallImage} are the small files and
   * the image {@code mke2fs -d} made of them, {@code work} the directory to use without tmpfs.
   */
  void run(Path work, Path tree, Path smallImage, int files) throws Exception {
    if (!Files.isRegularFile(script)) {
      notes.add("whole-process rows not measured: " + script + " missing");
      return;
    }
    Path dir = scratch(work);
    try {
      Path src = Files.createDirectories(dir.resolve("src"));
      step("making " + sizeMib + " MiB and 1 MiB source files in " + dir);
      Tools.Sum big =
          new Tools.Sum(sizeMib * MIB, SourceFiles.makeFile(src.resolve("big.bin"), sizeMib * MIB));
      SourceFiles.makeFile(src.resolve("small.bin"), MIB);
      Path tiny = dir.resolve("tiny.img");
      Tools.run("mke2fs", "-q", "-F", "-t", "ext2", tiny.toString(), "4M");
      // The first ./mpage after a build writes its class-data archive: not something to time.
      Tools.run("bash", script.toString(), "ls", tiny.toString(), "/");
      long rssKib = 0;
      for (int bs : new int[] {4096, 1024}) {
        rssKib = Math.max(rssKib, cat(dir, src, bs, big));
      }
      rows.add(
          new Report.Row(
              "whole process: peak RSS of `./mpage cat` of " + sizeMib + " MiB (4K and 1K blocks)",
              String.format(Locale.ROOT, "%.0f MiB", rssKib / 1024.0),
              "",
              "",
              "< 300 MiB",
              Report.met(rssKib < 300 * 1024)));
      put(dir, src, big);
      getTree(dir, tree, smallImage, files);
      mkfsFrom(dir, tree, files);
      startup(tiny);
      fuseCopy(dir);
    } finally {
      Tools.deleteTree(dir);
    }
  }

  /** A fresh directory on tmpfs, or in {@code work} (and a note saying so) when there is none. */
  private Path scratch(Path work) throws IOException {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "mpage-bench");
    }
    place = ", not on tmpfs";
    notes.add(
        "no writable /dev/shm: whole-process images and outputs were in "
            + work
            + ", not on tmpfs");
    return Files.createDirectories(work.resolve("whole-process"));
  }

  private void step(String s) {
    log.println("bench: " + s);
  }

  // ---- cat ---------------------------------------------------------------------------------

  /**
   * {@code ./mpage cat} against {@code debugfs dump}, both to /dev/null, on one image holding the
   * big and the 1 MiB file. Returns the peak RSS (KiB) of one further, checked, cat of the big
   * file.
   */
  private long cat(Path dir, Path src, int bs, Tools.Sum expect) throws Exception {
    Path image = dir.resolve("cat-" + bs + ".img");
    long imageMib = sizeMib + sizeMib / 8 + 16L;
    step("mke2fs -b " + bs + ": " + imageMib + " MiB image on " + dir);
    Tools.mke2fs(image, bs, src, imageMib);
    String img = image.toString();
    long[][] t = new long[4][reps];
    for (int r = 0; r < reps; r++) {
      step("whole-process cat, " + bs + "-byte blocks, repetition " + (r + 1) + "/" + reps);
      t[0][r] = Tools.timeSilent("bash", script.toString(), "cat", img, "/big.bin");
      t[1][r] = Tools.timeSilent("bash", script.toString(), "cat", img, "/small.bin");
      t[2][r] = Tools.timeSilent("debugfs", "-R", "dump /big.bin /dev/null", img);
      t[3][r] = Tools.timeSilent("debugfs", "-R", "dump /small.bin /dev/null", img);
    }
    step("peak RSS of ./mpage cat, " + bs + "-byte blocks (output checked)");
    Tools.Sum[] got = new Tools.Sum[1];
    long kib =
        PeakRss.kib(
            List.of("bash", script.toString(), "cat", img, "/big.bin"),
            in -> got[0] = Tools.sum(in));
    if (!expect.equals(got[0])) {
      throw new IOException("./mpage cat read wrong bytes from " + image);
    }
    Files.delete(image);
    marginalRow(
        "whole process: `./mpage cat` of "
            + sizeMib
            + " MiB, "
            + bs / 1024
            + "K blocks, image"
            + (place.isEmpty() ? " on tmpfs" : place)
            + ", marginal per GiB: mpage vs debugfs dump",
        t,
        bs == 4096 ? 2 : 3);
    return kib;
  }

  /**
   * A row of marginal times: {@code t} holds mpage big, mpage small, baseline big and baseline
   * small, one time per repetition each.
   */
  private void marginalRow(String what, long[][] t, double target) {
    long big = sizeMib * MIB;
    double mp = Marginal.nanosPerGib(t[0], t[1], big, MIB);
    double base = Marginal.nanosPerGib(t[2], t[3], big, MIB);
    double r = Marginal.ratio(base, mp);
    rows.add(
        new Report.Row(
            what,
            perGib(mp),
            perGib(base),
            Double.isNaN(r) ? "n/a" : Report.ratio(r),
            ">= " + Report.plain(target),
            Report.met(r >= target)));
  }

  private static String perGib(double nanos) {
    return Double.isNaN(nanos)
        ? "n/a (no growth over 1 MiB)"
        : String.format(Locale.ROOT, "%.2f s/GiB", nanos / 1e9);
  }

  // ---- put ---------------------------------------------------------------------------------

  /**
   * {@code ./mpage put} against {@code debugfs -w write}, each into a fresh 4 KiB-block image;
   * every image mpage wrote must pass {@code e2fsck -fn}, and the first big one must hold the right
   * bytes.
   */
  private void put(Path dir, Path src, Tools.Sum expect) throws Exception {
    long imageMib = sizeMib + sizeMib / 8 + 16L;
    Path image = dir.resolve("put.img");
    String img = image.toString();
    long[][] t = new long[4][reps];
    for (int r = 0; r < reps; r++) {
      step("whole-process put, repetition " + (r + 1) + "/" + reps);
      for (int small = 0; small <= 1; small++) {
        String file = src.resolve(small == 0 ? "big.bin" : "small.bin").toString();
        fresh(image, imageMib);
        t[small][r] = Tools.timeSilent("bash", script.toString(), "put", img, file, "/f");
        Tools.run("e2fsck", "-fn", img);
        if (r == 0
            && small == 0
            && !expect.equals(Tools.sumOfOutput("debugfs", "-R", "dump /f /dev/stdout", img))) {
          throw new IOException("./mpage put stored wrong bytes in " + image);
        }
        fresh(image, imageMib);
        t[2 + small][r] = Tools.timeSilent("debugfs", "-w", "-R", "write " + file + " f", img);
      }
    }
    Files.deleteIfExists(image);
    marginalRow(
        "whole process: `./mpage put` of "
            + sizeMib
            + " MiB into a fresh 4K image"
            + place
            + " (fsync, unmount; e2fsck clean), marginal per GiB: mpage vs debugfs write",
        t,
        2);
  }

  private static void fresh(Path image, long mib) throws IOException, InterruptedException {
    Files.deleteIfExists(image);
    Tools.mke2fs(image, 4096, null, mib);
  }

  // ---- get -r ------------------------------------------------------------------------------

  /**
   * {@code ./mpage get -r IMAGE / OUT} against {@code debugfs rdump / OUT}, each into a new empty
   * directory; both copies are compared with the source tree once.
   */
  private void getTree(Path dir, Path tree, Path smallImage, int files) throws Exception {
    Path image = dir.resolve("small.img");
    Files.copy(smallImage, image);
    String img = image.toString();
    long[] mp = new long[reps];
    long[] dbg = new long[reps];
    for (int r = 0; r < reps; r++) {
      step("whole-process get -r of " + files + " files, repetition " + (r + 1) + "/" + reps);
      Path a = Files.createDirectory(dir.resolve("get-mpage"));
      Path b = Files.createDirectory(dir.resolve("get-debugfs"));
      mp[r] = Tools.timeSilent("bash", script.toString(), "get", "-r", img, "/", a.toString());
      dbg[r] = Tools.timeSilent("debugfs", "-R", "rdump / " + b, img);
      if (r == 0) {
        SourceFiles.verifyTree(tree, a);
        SourceFiles.verifyTree(tree, b);
      }
      Tools.deleteTree(a);
      Tools.deleteTree(b);
    }
    Files.delete(image);
    double tm = Report.median(mp);
    double td = Report.median(dbg);
    rows.add(
        new Report.Row(
            "whole process: `./mpage get -r` of "
                + files
                + " small files (1-64 KiB)"
                + (place.isEmpty() ? " to tmpfs" : place)
                + ": mpage vs debugfs rdump",
            filesPerSecond(files, tm),
            filesPerSecond(files, td),
            Report.ratio(td / tm),
            ">= 1.5",
            Report.met(td / tm >= 1.5)));
  }

  // ---- mkfs --from -------------------------------------------------------------------------

  /**
   * {@code ./mpage mkfs IMAGE SIZE --from TREE} against {@code mke2fs -t ext2 -d TREE IMAGE SIZE},
   * the same size, each into a new image; both images are checked with e2fsck and read back once.
   */
  private void mkfsFrom(Path dir, Path tree, int files) throws Exception {
    long bytes = 0;
    try (var s = Files.walk(tree)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        bytes += Files.isRegularFile(p) ? Files.size(p) : 0;
      }
    }
    String size = (bytes / MIB * 2 + 32) + "M";
    Path a = dir.resolve("mkfs-mpage.img");
    Path b = dir.resolve("mkfs-mke2fs.img");
    long[] mp = new long[reps];
    long[] mk = new long[reps];
    for (int r = 0; r < reps; r++) {
      step("whole-process mkfs --from of " + files + " files, repetition " + (r + 1) + "/" + reps);
      Files.deleteIfExists(a);
      Files.deleteIfExists(b);
      mp[r] =
          Tools.timeSilent(
              "bash", script.toString(), "mkfs", a.toString(), size, "--from", tree.toString());
      mk[r] =
          Tools.timeSilent(
              "mke2fs", "-q", "-F", "-t", "ext2", "-d", tree.toString(), b.toString(), size);
      if (r == 0) {
        for (Path image : new Path[] {a, b}) {
          Tools.run("e2fsck", "-fn", image.toString());
          Path out = Files.createDirectory(dir.resolve("mkfs-check"));
          Tools.run("debugfs", "-R", "rdump / " + out, image.toString());
          SourceFiles.verifyTree(tree, out);
          Tools.deleteTree(out);
        }
      }
    }
    Files.deleteIfExists(a);
    Files.deleteIfExists(b);
    double tm = Report.median(mp);
    double tk = Report.median(mk);
    rows.add(
        new Report.Row(
            "whole process: `./mpage mkfs IMAGE "
                + size
                + " --from` a folder of "
                + files
                + " small files, image"
                + (place.isEmpty() ? " on tmpfs" : place)
                + ": mpage vs mke2fs -d",
            filesPerSecond(files, tm),
            filesPerSecond(files, tk),
            Report.ratio(tk / tm),
            "",
            ""));
  }

  private static String filesPerSecond(int files, double nanos) {
    return String.format(Locale.ROOT, "%.0f files/s", files / (nanos / 1e9));
  }

  // ---- start-up ----------------------------------------------------------------------------

  /** Wall time of {@code ./mpage ls} on a 4 MiB image, the whole process, as users start it. */
  private void startup(Path tiny) throws Exception {
    long[] t = new long[reps + 1];
    for (int r = 0; r <= reps; r++) {
      t[r] = Tools.timeSilent("bash", script.toString(), "ls", tiny.toString(), "/");
    }
    double ms = Report.median(Arrays.copyOfRange(t, 1, t.length)) / 1e6;
    rows.add(
        new Report.Row(
            "CLI start-up: `./mpage ls` of a 4 MiB image, whole process",
            String.format(Locale.ROOT, "%.0f ms", ms),
            "",
            "",
            "<= 250 ms",
            Report.met(ms <= 250)));
  }

  // ---- FUSE --------------------------------------------------------------------------------

  /**
   * {@code cp} of one file (512 MiB, or the process size if smaller: 64 MiB with --quick) out of
   * {@code ./mpage mount -o ro} against the same out of {@code fuse2fs -o ro} on the same image,
   * the C peer; one mount at a time, each copy checked once. Skipped with a note without FUSE.
   */
  private void fuseCopy(Path dir) throws Exception {
    if (!Files.exists(Path.of("/dev/fuse"))) {
      notes.add("FUSE row not measured: no /dev/fuse");
      return;
    }
    try {
      Tools.find("fuse2fs");
    } catch (IOException e) {
      notes.add("FUSE row not measured: no fuse2fs (apt-get install fuse2fs)");
      return;
    }
    long mib = Math.min(512, sizeMib);
    Path src = Files.createDirectories(dir.resolve("fuse-src"));
    step("making a " + mib + " MiB file and its image for the FUSE copies");
    Tools.Sum expect =
        new Tools.Sum(mib * MIB, SourceFiles.makeFile(src.resolve("big.bin"), mib * MIB));
    Path image = dir.resolve("fuse.img");
    Tools.mke2fs(image, 4096, src, mib + mib / 8 + 16);
    Tools.deleteTree(src);
    Path mnt = Files.createDirectories(dir.resolve("fuse-mnt"));
    Path out = dir.resolve("fuse-out.bin");
    String img = image.toString();
    long[] mp;
    long[] c;
    Process mpage =
        new ProcessBuilder("bash", script.toString(), "mount", "-o", "ro", img, mnt.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      awaitMount(mnt, mpage);
      mp = copies("./mpage mount", mnt, out, expect);
    } finally {
      unmount(mnt);
      if (!mpage.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        mpage.destroy();
      }
    }
    Tools.run("fuse2fs", "-o", "ro", img, mnt.toString());
    try {
      c = copies("fuse2fs", mnt, out, expect);
    } finally {
      unmount(mnt);
    }
    Files.delete(image);
    double tm = Report.median(mp);
    double tc = Report.median(c);
    rows.add(
        new Report.Row(
            "whole process: `cp` of "
                + mib
                + " MiB out of a FUSE mount"
                + place
                + ": `./mpage mount -o ro` vs `fuse2fs -o ro`",
            Report.mibps(mib * MIB, tm),
            Report.mibps(mib * MIB, tc),
            Report.ratio(tc / tm),
            // issue 14 asks for the ratio only: no target of ours in the table
            "",
            ""));
  }

  /** Waits until {@code mnt} is a mount point, failing if the mounting process ends first. */
  private static void awaitMount(Path mnt, Process p) throws Exception {
    for (int i = 0; i < 1200; i++) {
      if (Files.readString(Path.of("/proc/self/mounts")).contains(" " + mnt + " ")) {
        return;
      }
      if (!p.isAlive()) {
        throw new IOException("./mpage mount ended (" + p.exitValue() + ") before mounting");
      }
      Thread.sleep(50);
    }
    throw new IOException(mnt + ": not mounted after 60 s");
  }

  /** Times {@code cp} of the file out of the mount; the first copy is checked. */
  private long[] copies(String who, Path mnt, Path out, Tools.Sum expect) throws Exception {
    long[] t = new long[reps];
    for (int r = 0; r < reps; r++) {
      step("cp out of " + who + ", repetition " + (r + 1) + "/" + reps);
      t[r] = Tools.timeSilent("cp", mnt.resolve("big.bin").toString(), out.toString());
      if (r == 0) {
        Tools.Sum got = Tools.sumOfOutput("cat", out.toString());
        if (!expect.equals(got)) {
          throw new IOException("cp out of " + who + " gave wrong bytes");
        }
      }
      Files.delete(out);
    }
    return t;
  }

  /** {@code fusermount -u}, retried while busy, then lazily: never leave a mount behind. */
  private static void unmount(Path mnt) throws Exception {
    for (int i = 0; i < 50; i++) {
      if (new ProcessBuilder("fusermount", "-u", "-q", mnt.toString()).start().waitFor() == 0) {
        return;
      }
      if (!Files.readString(Path.of("/proc/self/mounts")).contains(" " + mnt + " ")) {
        return;
      }
      Thread.sleep(100);
    }
    new ProcessBuilder("fusermount", "-u", "-z", mnt.toString()).start().waitFor();
  }
}
