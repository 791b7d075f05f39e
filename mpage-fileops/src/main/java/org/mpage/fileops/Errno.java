package org.mpage.fileops;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.Locale;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.api.fs.XattrException;
import org.mpage.api.page.NoSpaceException;
import org.mpage.api.page.WritebackException;

/**
 * What kind of error an exception is, as an errno (Linux's numbers, the same on x86-64 and arm64)
 * and the text a user reads. One classification serves both the error line ({@link Errors#reason})
 * and a front-end that answers the kernel, such as a FUSE mount ({@link Errors#errno}): the typed
 * exceptions of java.nio.file and the api first, then the reason text of a plain {@link
 * FileSystemException} as the filesystem words it, then {@code EIO}.
 */
public enum Errno {
  EPERM(1, "operation not permitted"),
  ENOENT(2, "no such file or directory"),
  EIO(5, "input/output error"),
  EACCES(13, "permission denied"),
  EEXIST(17, "file exists"),
  EXDEV(18, "invalid cross-device link"),
  ENOTDIR(20, "not a directory"),
  EISDIR(21, "is a directory"),
  EINVAL(22, "invalid argument"),
  EFBIG(27, "file too large"),
  ENOSPC(28, "no space left on device"),
  EROFS(30, "read-only file system"),
  EMLINK(31, "too many links"),
  ERANGE(34, "numerical result out of range"),
  ENAMETOOLONG(36, "file name too long"),
  ENOSYS(38, "function not implemented"),
  ENOTEMPTY(39, "directory not empty"),
  ELOOP(40, "too many levels of symbolic links"),
  ENODATA(61, "no data available"),
  EOPNOTSUPP(95, "operation not supported");

  private final int number;
  private final String text;

  Errno(int number, String text) {
    this.number = number;
    this.text = text;
  }

  /** The positive errno; a FUSE reply is its negation. */
  public int number() {
    return number;
  }

  /** The reason as the error line words it, lower case, as {@code strerror} would say it. */
  public String text() {
    return text;
  }

  /**
   * The kind of {@code t}: a {@link NoSpaceException} anywhere in the causes is {@link #ENOSPC};
   * otherwise the first of the exception and its causes that says more than "I/O error" decides.
   */
  public static Errno of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof NoSpaceException) {
        return ENOSPC;
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      Errno e = own(c);
      if (e != null) {
        return e;
      }
      if (c == c.getCause()) {
        break;
      }
    }
    return EIO;
  }

  /**
   * The kind a typed exception names by its class alone, without reading any text; null for
   * another. {@link Errors#reason} words these with {@link #text}.
   */
  static Errno byType(Throwable t) {
    if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
      return ENOENT;
    }
    if (t instanceof NotDirectoryException) {
      return ENOTDIR;
    }
    if (t instanceof FileSystemLoopException) {
      return ELOOP;
    }
    if (t instanceof FileAlreadyExistsException) {
      return EEXIST;
    }
    if (t instanceof DirectoryNotEmptyException) {
      return ENOTEMPTY;
    }
    if (t instanceof AccessDeniedException) {
      return EACCES;
    }
    return null;
  }

  /** What {@code t} itself says, not its causes; null when it says only "an I/O error". */
  private static Errno own(Throwable t) {
    Errno typed = byType(t);
    if (typed != null) {
      return typed;
    }
    if (t instanceof WritebackException w) {
      return byNumber(w.errno());
    }
    if (t instanceof XattrException x) {
      return byNumber(x.kind().errno());
    }
    if (t instanceof CorruptFilesystemException) {
      return EIO;
    }
    if (t instanceof ReadOnlyFileSystemException) {
      return EROFS; // before its superclass UnsupportedOperationException
    }
    if (t instanceof UnsupportedFeatureException || t instanceof UnsupportedOperationException) {
      return EOPNOTSUPP;
    }
    if (t instanceof IllegalArgumentException) {
      return EINVAL;
    }
    if (t instanceof PathException p) {
      return p.getCause() != null ? null : byReason(p.reason());
    }
    if (t instanceof FileSystemException f) {
      return byReason(f.getReason());
    }
    if (t instanceof IOException) {
      return byReason(t.getMessage());
    }
    return null;
  }

  /** The errno of a number; {@link #EIO} for one this enum does not name. */
  public static Errno byNumber(int number) {
    for (Errno e : values()) {
      if (e.number == number) {
        return e;
      }
    }
    return EIO;
  }

  /**
   * The kind a reason text names, as fs-ext2 and the engine word them ("is a directory", "file too
   * large for a revision 0 filesystem", "path: read-only file system"); null for another.
   */
  static Errno byReason(String reason) {
    if (reason == null) {
      return null;
    }
    String r = reason.toLowerCase(Locale.ROOT);
    if (r.contains("no space left")
        || r.contains("no free blocks")
        || r.contains("no free inodes")) {
      return ENOSPC;
    }
    if (r.contains("read-only file system")) {
      return EROFS;
    }
    if (r.contains("is a directory")) {
      return EISDIR;
    }
    if (r.contains("not a directory")) {
      return ENOTDIR;
    }
    if (r.contains("no such file")) {
      return ENOENT;
    }
    if (r.contains("directory not empty")) {
      return ENOTEMPTY;
    }
    if (r.contains("file exists")) {
      return EEXIST;
    }
    if (r.contains("file too large")) {
      return EFBIG;
    }
    if (r.contains("too many links")) {
      return EMLINK;
    }
    if (r.contains("name too long") || r.startsWith("symlink target of")) {
      return ENAMETOOLONG;
    }
    if (r.contains("too many levels of symbolic links")) {
      return ELOOP;
    }
    if (r.contains("cross-device")) {
      return EXDEV;
    }
    if (r.contains("hard links to directories are not allowed")
        || r.contains("operation not permitted")) {
      return EPERM;
    }
    if (r.contains("permission denied")) {
      return EACCES;
    }
    if (r.contains("invalid name")
        || r.contains("into itself")
        || r.contains("negative size")
        || r.contains("not a symbolic link")
        || r.contains("not a regular file")
        || r.contains("invalid argument")) {
      return EINVAL;
    }
    return null;
  }
}
