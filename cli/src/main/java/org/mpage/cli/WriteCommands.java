package org.mpage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Deque;
import org.mpage.api.fs.Names;

/**
 * The commands that change an image: {@code put}, {@code write}, {@code mkdir}, {@code rm}, {@code
 * mv}, {@code ln}, {@code truncate} and {@code setfattr}. Each parses its arguments and calls the
 * file-operations layer on a read-write mount (read-only with {@code --read-only}, where every
 * change fails).
 */
final class WriteCommands {
  private final Cli cli;

  WriteCommands(Cli cli) {
    this.cli = cli;
  }

  /** Runs {@code command} if it is one of these; false if it is not. */
  boolean run(String command, Deque<String> args) throws UsageException, IOException {
    switch (command) {
      case "put" -> {
        boolean recursive = Args.flag(args, "-r");
        Path image = Args.image(args);
        Path local = Path.of(Args.required(args, "LOCAL"));
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(
            image,
            true,
            ops -> {
              ops.put(local, path, recursive);
              ops.fileSystem().sync();
            });
      }
      case "write" -> {
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        long offset = 0;
        if ("--offset".equals(args.peekFirst())) {
          args.pollFirst();
          offset = Args.size(Args.required(args, "offset"));
        }
        Args.done(args);
        long at = offset;
        cli.onImage(image, true, ops -> ops.write(path, at, cli.stdin()));
      }
      case "mkdir" -> {
        boolean parents = Args.flag(args, "-p");
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.mkdir(path, parents));
      }
      case "rm" -> {
        boolean recursive = Args.flag(args, "-r");
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.remove(path, recursive));
      }
      case "mv" -> {
        Path image = Args.image(args);
        String from = Args.required(args, "FROM");
        String to = Args.required(args, "TO");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.move(from, to));
      }
      case "ln" -> {
        boolean symbolic = Args.flag(args, "-s");
        Path image = Args.image(args);
        String target = Args.required(args, "TARGET");
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.link(target, path, symbolic));
      }
      case "truncate" -> {
        Path image = Args.image(args);
        String path = Args.required(args, "PATH");
        long size = Args.size(Args.required(args, "SIZE"));
        Args.done(args);
        cli.onImage(image, true, ops -> ops.truncate(path, size));
      }
      case "setfattr" -> setfattr(args);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code setfattr -n NAME [-v VALUE] IMAGE PATH} or {@code setfattr -x NAME IMAGE PATH}. */
  private void setfattr(Deque<String> args) throws UsageException, IOException {
    String name = null;
    String value = null;
    String remove = null;
    while (args.peekFirst() != null && args.peekFirst().startsWith("-")) {
      switch (args.pollFirst()) {
        case "-n" -> name = Args.required(args, "NAME after -n");
        case "-v" -> value = Args.required(args, "VALUE after -v");
        case "-x" -> remove = Args.required(args, "NAME after -x");
        default -> throw new UsageException("setfattr: unknown option");
      }
    }
    if ((name == null) == (remove == null) || (remove != null && value != null)) {
      throw new UsageException("setfattr takes -n NAME [-v VALUE] or -x NAME");
    }
    Path image = Args.image(args);
    String path = Args.required(args, "PATH");
    Args.done(args);
    String n = name;
    String x = remove;
    byte[] v = value == null ? null : Names.toBytes(value);
    cli.onImage(
        image,
        true,
        ops -> {
          if (x != null) {
            ops.removefattr(path, x);
          } else {
            ops.setfattr(path, n, v);
          }
        });
  }
}
