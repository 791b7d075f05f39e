package org.mpage.fileops;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.api.page.NoSpaceException;

/**
 * Exceptions mapped to what a user sees: one line {@code mpage: <path>: <reason>} (DESIGN.md
 * section 6), with the path and reason escaped ({@link Escape#name}), and an exit status.
 */
public final class Errors {
  /** Exit status of a command that succeeded. */
  public static final int OK = 0;

  /** Exit status of an operational error: the line {@code mpage: <path>: <reason>}. */
  public static final int FAILURE = 1;

  /** Exit status of a usage error. */
  public static final int USAGE = 2;

  /** Exit status when the output's reader went away: as a process killed by SIGPIPE. */
  public static final int BROKEN_PIPE = 141;

  private Errors() {}

  /** One operation that may throw {@link IOException}. */
  @FunctionalInterface
  public interface IoCall<T> {
    T call() throws IOException;
  }

  /** One operation that may throw {@link IOException} and returns nothing. */
  @FunctionalInterface
  public interface IoRun {
    void run() throws IOException;
  }

  /** Runs an operation on the image, naming image path {@code path} in any error. */
  public static <T> T guarded(String path, IoCall<T> call) throws PathException {
    try {
      return call.call();
    } catch (PathException e) {
      throw e;
    } catch (IOException e) {
      // The api's corruption messages name the file for their other users; the line names it once.
      String reason = reason(e);
      String twice = "corrupt filesystem: " + path + ": ";
      if (reason.startsWith(twice)) {
        reason = "corrupt filesystem: " + reason.substring(twice.length());
      }
      throw new PathException(path, reason, e);
    }
  }

  /** As {@link #guarded(String, IoCall)}, for an operation that returns nothing. */
  public static void guarded(String path, IoRun run) throws PathException {
    guarded(
        path,
        () -> {
          run.run();
          return null;
        });
  }

  /** Runs an operation on the host's filesystem, naming the host path in any error. */
  public static <T> T local(Path path, IoCall<T> call) throws PathException {
    try {
      return call.call();
    } catch (IOException e) {
      throw new PathException(path.toString(), reason(e), e);
    }
  }

  /**
   * The reason part of an error line: what went wrong, without repeating the path. A typed
   * exception is worded by its {@link Errno} kind, as {@link #errno} classifies it.
   */
  public static String reason(IOException e) {
    if (e instanceof PathException p) {
      return p.reason();
    }
    if (e instanceof NoSuchFileException n && n.getReason() != null) {
      return n.getReason();
    }
    Errno typed = Errno.byType(e);
    if (typed != null) {
      return typed.text();
    }
    if (e instanceof CorruptFilesystemException || e instanceof UnsupportedFeatureException) {
      return e.getMessage();
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /**
   * The errno a front-end that answers the kernel (a FUSE mount) returns for {@code t}, negated
   * there: {@code ENOENT}, {@code EEXIST}, {@code ENOSPC} ... and {@code EIO} for a corrupt
   * filesystem or an error it cannot tell apart. The same classification as {@link #reason}.
   */
  public static int errno(Throwable t) {
    return Errno.of(t).number();
  }

  /** The line {@code mpage: <path>: <reason>}, both parts escaped; no line end. */
  public static String line(String path, String reason) {
    return "mpage: " + Escape.name(path) + ": " + Escape.name(reason);
  }

  /**
   * The line for any error: {@code mpage: <path>: <reason>} for a {@link PathException}, else
   * {@code mpage: <reason>}.
   */
  public static String line(IOException e) {
    return "mpage: " + message(e);
  }

  /**
   * The line for any error without its {@code mpage: } prefix: {@code <path>: <reason>}, or the
   * reason alone. For a front-end whose host prints its own prefix (Gogo, Karaf) before the message
   * of the exception a command throws.
   */
  public static String message(IOException e) {
    if (e instanceof PathException p) {
      return Escape.name(p.path()) + ": " + Escape.name(p.reason());
    }
    return Escape.name(reason(e));
  }

  /** The line for a bug or a resource exhausted (not an I/O error): it says so. */
  public static String internalError(Throwable t) {
    return "mpage: internal error: " + Escape.name(t.toString());
  }

  /**
   * The exit status for an error that ended a command: {@link #BROKEN_PIPE} when the output's
   * reader went away, else {@link #FAILURE}.
   */
  public static int exitStatus(Throwable t) {
    return t instanceof BrokenPipeException ? BROKEN_PIPE : FAILURE;
  }

  /** Whether an error ends a recursive copy: no space left on the host or in the image. */
  public static boolean isFatal(PathException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoSpaceException) {
        return true;
      }
    }
    String r = e.reason() == null ? "" : e.reason();
    return r.contains("No space left on device")
        || r.contains("Disk quota exceeded")
        || r.contains("ENOSPC")
        || r.contains("no free blocks")
        || r.contains("no free inodes");
  }
}
