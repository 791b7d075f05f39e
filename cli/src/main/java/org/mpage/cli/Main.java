package org.mpage.cli;

/** Entry point of {@code ./mpage}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    // The stack logs through SLF4J; on the command line only errors are shown unless --debug.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "error");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    int status = new Cli(System.in, System.out, System.err, Progress.stderrIsTerminal()).run(args);
    System.out.flush();
    System.exit(status);
  }
}
