package org.mpage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Deque;
import org.mpage.fileops.XattrText;

/**
 * The commands that read an image: {@code info}, {@code ls}, {@code cat}, {@code stat}, {@code get}
 * and {@code getfattr}. Each parses its arguments and calls the file-operations layer on a
 * read-only mount.
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
        Image image = Args.image(args);
        Args.done(args);
        cli.onImage(image, false, ops -> ops.info(cli.out()));
      }
      case "ls" -> {
        boolean longFormat = Args.flag(args, "-l");
        Image image = Args.image(args);
        String path = args.isEmpty() ? "/" : args.pollFirst();
        Args.done(args);
        cli.onImage(
            image, false, ops -> ops.list(path, longFormat, cli.out(), cli.stdoutIsTerminal()));
      }
      case "cat" -> {
        Image image = Args.image(args);
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
        Image image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, false, ops -> ops.stat(path, cli.out()));
      }
      case "get" -> {
        boolean recursive = Args.flag(args, "-r");
        Image image = Args.image(args);
        String path = Args.required(args, "PATH");
        Path local = Path.of(Args.required(args, "LOCAL"));
        Args.done(args);
        cli.onImage(image, false, ops -> ops.get(path, local, recursive));
      }
      case "getfattr" -> getfattr(args);
      default -> {
        return false;
      }
    }
    return true;
  }

  /** {@code getfattr [-d] [-n NAME] [-m PATTERN] [-e ENC] IMAGE PATH}, options in any order. */
  private void getfattr(Deque<String> args) throws UsageException, IOException {
    boolean dump = false;
    String name = null;
    String pattern = "^user\\.";
    XattrText.Encoding encoding = XattrText.Encoding.AUTO;
    while (args.peekFirst() != null && args.peekFirst().startsWith("-")) {
      switch (args.pollFirst()) {
        case "-d" -> dump = true;
        case "-n" -> name = Args.required(args, "NAME after -n");
        case "-m" -> {
          String m = Args.required(args, "PATTERN after -m");
          pattern = m.equals("-") ? "" : m;
        }
        case "-e" -> {
          String e = Args.required(args, "ENCODING after -e");
          try {
            encoding = XattrText.Encoding.of(e);
          } catch (IllegalArgumentException bad) {
            throw new UsageException(bad.getMessage());
          }
        }
        default -> throw new UsageException("getfattr: unknown option");
      }
    }
    try {
      java.util.regex.Pattern.compile(pattern);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new UsageException("getfattr: invalid regular expression " + pattern);
    }
    Image image = Args.image(args);
    String path = Args.required(args, "PATH");
    Args.done(args);
    String n = name;
    boolean d = dump;
    String p = pattern;
    XattrText.Encoding enc = encoding;
    cli.onImage(image, false, ops -> ops.getfattr(path, n, d, p, enc, cli.out()));
  }
}
