package org.mpage.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Deque;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.Names;
import org.mpage.fileops.FileOps;

/**
 * The commands that change an image: {@code put}, {@code mknod}, {@code write}, {@code mkdir},
 * {@code rm}, {@code mv}, {@code ln}, {@code truncate} and {@code setfattr}. Each parses its
 * arguments and calls the file-operations layer on a read-write mount (read-only with {@code
 * --read-only}, where every change fails).
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
        boolean recursive = false;
        long uid = -1;
        long gid = -1;
        int mode = -1;
        for (boolean more = true; more; ) {
          switch (String.valueOf(args.peekFirst())) {
            case "-r" -> recursive = true;
            case "--owner" -> {
              args.pollFirst();
              long[] owner = owner(Args.required(args, "--owner UID:GID"));
              uid = owner[0];
              gid = owner[1];
              continue;
            }
            case "--mode" -> {
              args.pollFirst();
              mode = mode(Args.required(args, "--mode OCTAL"));
              continue;
            }
            default -> more = false;
          }
          if (more) {
            args.pollFirst();
          }
        }
        Image image = Args.image(args);
        Path local = Path.of(Args.required(args, "LOCAL"));
        String path = Args.required(args, "PATH");
        Args.done(args);
        boolean r = recursive;
        FileOps.PutOptions options = new FileOps.PutOptions(uid, gid, mode);
        cli.onImage(
            image,
            true,
            ops -> {
              ops.put(local, path, r, options);
              ops.fileSystem().sync();
            });
      }
      case "mknod" -> {
        int mode = 0644; // mknod(1)'s 0666 under the usual umask 022
        if ("-m".equals(args.peekFirst())) {
          args.pollFirst();
          mode = mode(Args.required(args, "-m MODE"));
        }
        Image image = Args.image(args);
        String path = Args.required(args, "PATH");
        String type = Args.required(args, "TYPE");
        FileType kind =
            switch (type) {
              case "c", "u" -> FileType.CHAR_DEVICE;
              case "b" -> FileType.BLOCK_DEVICE;
              case "p" -> FileType.FIFO;
              case "s" -> FileType.SOCKET;
              default -> throw new UsageException("mknod TYPE is c, b, p or s, not " + type);
            };
        boolean device = kind == FileType.CHAR_DEVICE || kind == FileType.BLOCK_DEVICE;
        long major = 0;
        long minor = 0;
        if (device) {
          major = number(Args.required(args, "MAJOR"), "MAJOR");
          minor = number(Args.required(args, "MINOR"), "MINOR");
        }
        Args.done(args);
        int m = mode;
        long ma = major;
        long mi = minor;
        cli.onImage(image, true, ops -> ops.mknod(path, kind, m, ma, mi));
      }
      case "write" -> {
        Image image = Args.image(args);
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
        Image image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.mkdir(path, parents));
      }
      case "rm" -> {
        boolean recursive = Args.flag(args, "-r");
        Image image = Args.image(args);
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.remove(path, recursive));
      }
      case "mv" -> {
        Image image = Args.image(args);
        String from = Args.required(args, "FROM");
        String to = Args.required(args, "TO");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.move(from, to));
      }
      case "ln" -> {
        boolean symbolic = Args.flag(args, "-s");
        Image image = Args.image(args);
        String target = Args.required(args, "TARGET");
        String path = Args.required(args, "PATH");
        Args.done(args);
        cli.onImage(image, true, ops -> ops.link(target, path, symbolic));
      }
      case "truncate" -> {
        Image image = Args.image(args);
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

  /** {@code UID:GID} (numbers, as {@code install -o/-g} takes them numerically). */
  private static long[] owner(String text) throws UsageException {
    String[] parts = text.split(":", -1);
    if (parts.length != 2) {
      throw new UsageException("--owner takes UID:GID, not " + text);
    }
    return new long[] {number(parts[0], "UID"), number(parts[1], "GID")};
  }

  /** Permission bits in octal, at most 07777. */
  private static int mode(String text) throws UsageException {
    if (!text.matches("[0-7]{1,4}")) {
      throw new UsageException("a mode is octal permission bits up to 7777, not " + text);
    }
    return Integer.parseInt(text, 8);
  }

  /** A 32-bit unsigned number (an id or a device major or minor). */
  private static long number(String text, String what) throws UsageException {
    if (!text.matches("[0-9]{1,10}") || Long.parseLong(text) > 0xffff_ffffL) {
      throw new UsageException(what + " takes a number below 2^32, not " + text);
    }
    return Long.parseLong(text);
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
    Image image = Args.image(args);
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
