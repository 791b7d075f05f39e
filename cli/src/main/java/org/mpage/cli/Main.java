package org.mpage.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.Names;

/** Entry point of {@code ./mpage}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    // The stack logs through SLF4J; on the command line only errors are shown unless --debug.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "error");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    int status =
        new Cli(System.in, System.out, System.err, Progress.stderrIsTerminal())
            .stdoutIsTerminal(Progress.isTerminal(1))
            .run(exactArguments(args));
    System.out.flush();
    System.exit(status);
  }

  /**
   * The arguments with their exact bytes. The JVM decodes arguments in the locale's encoding and
   * turns bytes it cannot decode into U+FFFD, so an image path naming {@code x\xff} would reach the
   * image as {@code x\uFFFD}, another file's name. Linux keeps the raw bytes in /proc/self/cmdline;
   * the last {@code args.length} of them are our arguments, carried as {@link Names} strings. Where
   * that cannot be read, the JVM's own decoding is used.
   */
  static String[] exactArguments(String[] args) {
    byte[] raw;
    try {
      raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
    } catch (IOException | RuntimeException e) {
      return args;
    }
    List<String> all = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        all.add(Names.fromBytes(raw, start, i - start));
        start = i + 1;
      }
    }
    if (all.size() < args.length) {
      return args;
    }
    String[] exact = all.subList(all.size() - args.length, all.size()).toArray(new String[0]);
    for (int i = 0; i < args.length; i++) {
      // The JVM's decoding must agree wherever it could decode: otherwise these are not our
      // arguments (a launcher rewrote them), and the JVM's are used.
      if (!Names.hasRawBytes(exact[i]) && !exact[i].equals(args[i])) {
        return args;
      }
    }
    return exact;
  }
}
