package org.mpage.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.Mounts;
import org.mpage.fileops.Errors;
import org.mpage.fileops.FileOps;
import org.mpage.fileops.PrintingReporter;
import org.mpage.fileops.Progress;

/**
 * The file commands of {@link MpageCommands}, a thin adapter over the file-operations layer: each
 * takes the mounted {@link FileSystem} from the {@link Mounts} service and calls {@link FileOps},
 * which writes the same text as the command line ({@code ls -l}, {@code stat -l}, {@code info},
 * {@code cat}) to the session's stream. What ends a command is thrown with the layer's error text
 * ({@link Errors#message}, the shell printing its own prefix); an entry a recursive command could
 * not handle is one line {@code mpage: <path>: <reason>} on the session's error stream, and the
 * command then fails.
 */
final class FileCommands {
  private final Mounts mounts;
  private final Supplier<PrintStream> out;
  private final Supplier<PrintStream> err;

  FileCommands(Mounts mounts, Supplier<PrintStream> out, Supplier<PrintStream> err) {
    this.mounts = mounts;
    this.out = out;
    this.err = err;
  }

  /** One command's work on the layer. */
  @FunctionalInterface
  private interface Work {
    void run(FileOps ops, PrintStream out) throws IOException;
  }

  /**
   * Runs {@code work} on {@code device}'s mounted filesystem; the output is flushed, an error
   * thrown with the layer's text, and entries that failed make the command fail.
   */
  private void on(String device, Work work) throws IOException {
    PrintStream o = out.get();
    PrintingReporter reporter = new PrintingReporter(err.get());
    try {
      FileSystem fs = mounts.fileSystem(device);
      work.run(new FileOps(fs, reporter, Progress.Factory.NONE), o);
    } catch (IOException e) {
      throw new IOException(Errors.message(e), e);
    } finally {
      o.flush();
    }
    int failed = reporter.failures();
    if (failed > 0) {
      throw new IOException(failed + (failed == 1 ? " entry" : " entries") + " failed");
    }
  }

  /** Whether {@code given} is the command's one option {@code expected}; anything else is wrong. */
  static boolean option(String command, String given, String expected) {
    if (!given.equals(expected)) {
      throw new IllegalArgumentException(
          command + ": the only option is " + expected + ": " + given);
    }
    return true;
  }

  /** The superblock summary, as the command line's {@code info}. */
  void info(String device) throws IOException {
    on(device, (ops, o) -> ops.info(o));
  }

  /** A listing of {@code path}, names escaped as {@code ls} does on a terminal. */
  void ls(String device, String path, FileOps.Listing style) throws IOException {
    on(device, (ops, o) -> ops.list(path, style, o, true));
  }

  /** The file's bytes, as they are. */
  void cat(String device, String path) throws IOException {
    on(device, (ops, o) -> ops.cat(path, o, "output"));
  }

  /** The short {@code stat}, or with {@code full} the command line's. */
  void stat(String device, String path, boolean full) throws IOException {
    on(
        device,
        (ops, o) -> {
          if (full) {
            ops.stat(path, o);
          } else {
            ops.statSummary(path, o);
          }
        });
  }

  /** Copies host file (or with {@code recursive} folder) {@code local} in, then syncs. */
  void put(String local, String device, String path, boolean recursive) throws IOException {
    Path from = Path.of(local);
    on(
        device,
        (ops, o) -> {
          String target = ops.put(from, path, recursive);
          ops.fileSystem().sync();
          o.println(
              Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)
                  ? target + ": " + Files.size(from) + " bytes"
                  : target + ": copied");
        });
  }

  /** Copies {@code path} (or with {@code recursive} a directory) out to the host. */
  void get(String device, String path, String local, boolean recursive) throws IOException {
    on(
        device,
        (ops, o) -> {
          Path target = ops.get(path, Path.of(local), recursive);
          o.println(
              Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                  ? target + ": " + Files.size(target) + " bytes"
                  : target + ": copied");
        });
  }

  /** A directory, mode 0755; with {@code parents} its missing parents too. */
  void mkdir(String device, String path, boolean parents) throws IOException {
    on(
        device,
        (ops, o) -> {
          ops.mkdir(path, parents);
          o.println(path);
        });
  }

  /** Removes a file or symlink; with {@code recursive} a directory and everything under it. */
  void rm(String device, String path, boolean recursive) throws IOException {
    on(
        device,
        (ops, o) -> {
          ops.remove(path, recursive);
          o.println(path + ": removed");
        });
  }

  /** Writes the filesystem's dirty pages and metadata. */
  void sync(String device) throws IOException {
    on(
        device,
        (ops, o) -> {
          ops.fileSystem().sync();
          o.println(device + ": synced");
        });
  }
}
