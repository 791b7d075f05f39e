package org.mpage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Deque;

/**
 * The commands that read an image: {@code info}, {@code ls}, {@code cat}, {@code stat} and {@code
 * get}. Each parses its arguments and calls the file-operations layer on a read-only mount.
 */
final class ReadCommands {
  private final Cli cli;

  ReadCommands(Cli cli) {
    this.cli = cli;
  }

  /** Runs {@code command} if it is one of these; false if it is not. */
  boolean run(String command, Deque<String> args) throws UsageException, IOException {
    switch (command) {
      case "info" -> {
        Path image = Args.image(args);
        Args.done(args);
        cli.onImage(image, false, ops -> ops.info(cli.out()));
      }
      case "ls" -> {
        boolean longFormat = Args.flag(args, "-l");
        Path image = Args.image(args);
        String path = args.isEmpty() ? "/" : args.pollFirst();
        Args.done(args);
        cli.onImage(
            image, false, ops -> ops.list(path, longFormat, cli.out(), cli.stdoutIsTerminal()));
      }
      case "cat" -> {
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(
            image,
            false,
            ops -> {
              cli.out().flush();
              ops.cat(path, cli.stdoutChannel(), "stdout");
              cli.stdout().flush();
            });
      }
      case "stat" -> {
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, false, ops -> ops.stat(path, cli.out()));
      }
      case "get" -> {
        boolean recursive = Args.flag(args, "-r");
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        Path local = Path.of(Args.required(args, "LOCAL"));
        Args.done(args);
        cli.onImage(image, false, ops -> ops.get(path, local, recursive));
      }
      default -> {
        return false;
      }
    }
    return true;
  }
}
