package org.mpage.api.fs;

import java.nio.file.FileSystemException;

/**
 * An extended attribute operation failed for a reason of its own: the attribute is missing or
 * already there, too large, out of space, or in a namespace the filesystem does not know. {@link
 * #getFile()} is the path, {@link #attribute()} the full attribute name ({@code user.comment}),
 * {@link #kind()} the errno a Linux filesystem would return.
 */
public class XattrException extends FileSystemException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, with the errno of {@code getxattr(2)}/{@code setxattr(2)} for it. */
  public enum Kind {
    /** ENODATA: no attribute of that name (getfattr: "No such attribute"). */
    NO_SUCH_ATTRIBUTE(61, "no such attribute"),
    /** EEXIST: {@link XattrMode#CREATE} of an attribute that exists. */
    EXISTS(17, "attribute exists"),
    /** ERANGE: a name or value longer than the filesystem allows, or a buffer too small. */
    TOO_LARGE(34, "attribute name or value too large"),
    /** ENOSPC: the attributes of the file do not fit in the space the filesystem has for them. */
    NO_SPACE(28, "no space left on device for the attribute"),
    /** EOPNOTSUPP: a namespace the filesystem does not support. */
    UNSUPPORTED(95, "operation not supported"),
    /** EINVAL: a value the namespace refuses (a malformed ACL), or an empty name. */
    INVALID(22, "invalid argument");

    private final int errno;
    private final String text;

    Kind(int errno, String text) {
      this.errno = errno;
      this.text = text;
    }

    /** Linux's errno for this kind (positive). */
    public int errno() {
      return errno;
    }

    /** The reason as an error line words it. */
    public String text() {
      return text;
    }
  }

  private final Kind kind;
  private final String attribute;

  /**
   * @param path the file
   * @param attribute the full attribute name
   * @param kind what went wrong
   * @param detail more words for the reason, or null
   */
  public XattrException(String path, String attribute, Kind kind, String detail) {
    super(
        path,
        null,
        kind.text()
            + ": "
            + attribute
            + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    this.kind = kind;
    this.attribute = attribute;
  }

  public Kind kind() {
    return kind;
  }

  /** The full attribute name, namespace prefix included. */
  public String attribute() {
    return attribute;
  }
}
