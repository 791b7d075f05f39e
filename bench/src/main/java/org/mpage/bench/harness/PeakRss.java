package org.mpage.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peak resident set size of a process: GNU {@code /usr/bin/time -f %M} where it is installed,
 * otherwise the largest {@code VmHWM} seen in {@code /proc/PID/status} while the process runs (a
 * launcher script must then {@code exec} its program, as {@code ./mpage} does, so that the PID
 * stays the same).
 */
final class PeakRss {
  static final Path TIME = Path.of("/usr/bin/time");
  private static final Pattern VM_HWM = Pattern.compile("(?m)^VmHWM:\\s*(\\d+)\\s*kB");
  private static final Pattern NUMBER = Pattern.compile("\\d+");

  private PeakRss() {}

  /** Consumes a process's standard output. */
  interface Reader {
    void read(InputStream stdout) throws IOException;
  }

  /** How the figure was taken, for the table's note. */
  static String method() {
    return Files.isExecutable(TIME) ? "/usr/bin/time -f %M" : "VmHWM from /proc/PID/status";
  }

  /**
   * Runs {@code cmd}, hands its stdout to {@code stdout}, and returns its peak RSS in KiB; fails if
   * it exits with a status other than 0.
   */
  static long kib(List<String> cmd, Reader stdout) throws IOException, InterruptedException {
    List<String> c = Tools.resolve(cmd);
    if (!Files.isExecutable(TIME)) {
      return polled(c, stdout);
    }
    Path report = Files.createTempFile("mpage-bench", ".rss");
    try {
      List<String> timed =
          new ArrayList<>(List.of(TIME.toString(), "-f", "%M", "-o", report.toString()));
      timed.addAll(c);
      Process p = new ProcessBuilder(timed).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      try (InputStream in = p.getInputStream()) {
        stdout.read(in);
      }
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", c) + " failed (" + p.exitValue() + ")");
      }
      return parseTime(Files.readString(report, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(report);
    }
  }

  /** The fallback: VmHWM read every few milliseconds until the process ends. */
  static long polled(List<String> c, Reader stdout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(c).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    AtomicLong peak = new AtomicLong(-1);
    Thread poller =
        new Thread(
            () -> {
              while (p.isAlive()) {
                try {
                  peak.accumulateAndGet(
                      parseVmHwm(Files.readString(status, StandardCharsets.UTF_8)), Math::max);
                  Thread.sleep(5);
                } catch (IOException e) {
                  // The process has just ended; its last reading stands.
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "rss-poller");
    poller.start();
    try (InputStream in = p.getInputStream()) {
      stdout.read(in);
    }
    int exit = p.waitFor();
    poller.join();
    if (exit != 0) {
      throw new IOException(String.join(" ", c) + " failed (" + exit + ")");
    }
    if (peak.get() < 0) {
      throw new IOException("no VmHWM read for " + String.join(" ", c));
    }
    return peak.get();
  }

  /**
   * The KiB figure in what {@code /usr/bin/time -f %M} wrote: its last line (GNU time puts a
   * "Command exited with non-zero status" line before it when the command failed).
   */
  static long parseTime(String out) {
    String[] lines = out.strip().split("\n", -1);
    String last = lines[lines.length - 1].strip();
    if (!NUMBER.matcher(last).matches()) {
      throw new IllegalArgumentException("no %M figure in " + out);
    }
    return Long.parseLong(last);
  }

  /** The {@code VmHWM} line of a {@code /proc/PID/status} text in KiB, or -1 when it has none. */
  static long parseVmHwm(String status) {
    Matcher m = VM_HWM.matcher(status);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
