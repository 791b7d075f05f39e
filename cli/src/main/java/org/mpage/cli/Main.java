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
    if (args.length == 2 && args[0].equals("--cds-training")) {
      System.exit(cdsTraining(Path.of(args[1])));
    }
    int status =
        new Cli(System.in, System.out, System.err, TerminalProgress.stderrIsTerminal())
            .stdoutIsTerminal(TerminalProgress.isTerminal(1))
            .run(exactArguments(args));
    System.out.flush();
    System.exit(status);
  }

  /**
   * The class-data-sharing training run of {@code ./mpage}: the common commands, in one process, on
   * a scratch image in {@code dir}, so that the archive the script makes at its exit holds the
   * classes every command loads (class loading and linking were a third of a small command's time).
   * Returns 0 if every command succeeded.
   */
  static int cdsTraining(Path dir) {
    String img = dir.resolve("cds.img").toString();
    String tree = dir.resolve("tree").toString();
    String out = dir.resolve("out").toString();
    try {
      Files.createDirectories(dir.resolve("tree/sub"));
      Files.writeString(dir.resolve("tree/sub/f"), "training\n");
      Files.write(dir.resolve("tree/big"), new byte[300_000]);
      Files.createSymbolicLink(dir.resolve("tree/link"), Path.of("sub/f"));
    } catch (IOException e) {
      return 1;
    }
    String[][] commands = {
      {"mkfs", img, "8M"},
      {"put", "-r", img, tree, "/t"},
      {"ls", "-l", img, "/t"},
      {"stat", img, "/t/big"},
      {"cat", img, "/t/sub/f"},
      {"get", "-r", img, "/t", out},
      {"mkdir", "-p", img, "/a/b"},
      {"mv", img, "/t/big", "/a/b"},
      {"truncate", img, "/a/b/big", "5000"},
      {"rm", "-r", img, "/a"},
      {"info", img}
    };
    int status = 0;
    java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
    for (String[] c : commands) {
      status |= new Cli(java.io.OutputStream.nullOutputStream(), quiet, false).run(c);
    }
    return status;
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
