package org.mpage.api.fs;

import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A mounted filesystem. Paths are absolute, {@code /}-separated, relative to the filesystem's root.
 * Errors are {@link java.nio.file.NoSuchFileException}, {@link
 * java.nio.file.NotDirectoryException}, {@link java.nio.file.FileSystemLoopException} (more than 40
 * symbolic links), {@link CorruptFilesystemException} and other {@link IOException}s, each naming
 * the path.
 */
@ConsumerType
public interface FileSystem extends AutoCloseable {
  /** What {@code dumpe2fs -h} would say. */
  FsInfo info();

  /** Stat of {@code path}, following a final symbolic link. */
  FileStat stat(String path) throws IOException;

  /** Stat of {@code path} itself, not following a final symbolic link. */
  FileStat lstat(String path) throws IOException;

  /** The entries of a directory, without {@code .} and {@code ..}, in on-disk order. */
  List<DirEntry> list(String path) throws IOException;

  /** The target of a symbolic link. */
  String readLink(String path) throws IOException;

  /** Opens a regular file (following symbolic links). */
  FileHandle open(String path) throws IOException;

  /**
   * Opens a regular file for reading and writing, creating it empty with {@code permissions} if
   * missing (and {@code create}); an existing file keeps its data unless {@code truncate}.
   */
  FileHandle openWrite(String path, boolean create, boolean truncate, int permissions)
      throws IOException;

  /** Creates a directory. */
  void mkdir(String path, int permissions) throws IOException;

  /** Removes a file, symlink or other non-directory name; the inode goes with its last link. */
  void unlink(String path) throws IOException;

  /** Removes an empty directory. */
  void rmdir(String path) throws IOException;

  /**
   * Renames {@code from} to {@code to}, replacing a file there (or an empty directory by a
   * directory); a directory cannot move into itself.
   */
  void rename(String from, String to) throws IOException;

  /** A new hard link {@code path} to the existing non-directory {@code target}. */
  void link(String target, String path) throws IOException;

  /** A symbolic link {@code path} pointing at {@code target}. */
  void symlink(String target, String path) throws IOException;

  /** Sets the size: shrinking frees blocks, growing leaves a hole. */
  void truncate(String path, long size) throws IOException;

  /** Sets permission bits and modification time (seconds), as {@code cp -p} would. */
  void setAttributes(String path, int permissions, long mtime) throws IOException;

  /**
   * Sets the owner and group ids, as {@code lchown} does (a symbolic link itself is changed); -1
   * leaves one as it is.
   *
   * @throws UnsupportedOperationException if this filesystem cannot
   */
  default void setOwner(String path, long uid, long gid) throws IOException {
    throw new UnsupportedOperationException("this filesystem cannot change owners");
  }

  /**
   * Sets access and modification times in seconds, not following a final symbolic link, as {@code
   * utimensat} with {@code AT_SYMLINK_NOFOLLOW} does; -1 leaves one as it is. The default can set
   * the modification time only, through {@link #setAttributes}.
   *
   * @throws UnsupportedOperationException if this filesystem cannot
   */
  default void setTimes(String path, long atime, long mtime) throws IOException {
    if (atime != -1) {
      throw new UnsupportedOperationException("this filesystem cannot set access times");
    }
    if (mtime != -1) {
      setAttributes(path, lstat(path).permissions(), mtime);
    }
  }

  /** Writes everything dirty and waits. */
  void sync() throws IOException;

  /** Unmounts: syncs when writable, then releases caches. The device stays open. */
  @Override
  void close() throws IOException;

  // ---- since 1.5 ----

  /**
   * Creates a special file, as {@code mknod(2)} does: a character or block device numbered {@code
   * rdev} (the kernel's user-space {@code dev_t}, see {@link FileStat#makedev}), a FIFO or a
   * socket, with {@code permissions} (07777) and the caller's times and owners left to {@link
   * #setTimes} and {@link #setOwner}. {@code rdev} is ignored for FIFOs and sockets.
   *
   * @throws IllegalArgumentException if {@code type} is not one of those four
   * @throws UnsupportedOperationException if this filesystem cannot
   */
  default void mknod(String path, FileType type, int permissions, long rdev) throws IOException {
    throw new UnsupportedOperationException("this filesystem cannot make special files");
  }

  // ---- extended attributes ----
  // Names are full names with their namespace prefix ("user.comment", "trusted.x",
  // "security.selinux", "system.posix_acl_access"), as getfattr prints them. None of these methods
  // follows a final symbolic link: they act on the link itself, as lgetxattr(2) and the other
  // l*xattr calls do. Values of system.posix_acl_access and system.posix_acl_default are exchanged
  // in the Linux xattr ACL format (version 2, 8-byte entries), whatever the disk keeps.

  /**
   * The value of attribute {@code name} of {@code path}, a fresh array.
   *
   * @throws XattrException of kind {@link XattrException.Kind#NO_SUCH_ATTRIBUTE} if it has none,
   *     {@link XattrException.Kind#UNSUPPORTED} for a namespace the filesystem does not know
   * @throws UnsupportedOperationException if this filesystem has no extended attributes
   */
  default byte[] getXattr(String path, String name) throws IOException {
    throw new UnsupportedOperationException("this filesystem has no extended attributes");
  }

  /**
   * The full names of the attributes of {@code path}, in the filesystem's order (for ext2, the
   * in-inode ones, then those of the attribute block); namespaces the filesystem cannot name are
   * left out.
   *
   * @throws UnsupportedOperationException if this filesystem has no extended attributes
   */
  default List<String> listXattr(String path) throws IOException {
    throw new UnsupportedOperationException("this filesystem has no extended attributes");
  }

  /**
   * Sets attribute {@code name} of {@code path} to {@code value} (which may be empty).
   *
   * @throws XattrException of kind {@link XattrException.Kind#EXISTS} or {@link
   *     XattrException.Kind#NO_SUCH_ATTRIBUTE} against {@code mode}, {@link
   *     XattrException.Kind#TOO_LARGE} for a name or value longer than the filesystem allows,
   *     {@link XattrException.Kind#NO_SPACE} when the file's attributes would not fit, {@link
   *     XattrException.Kind#UNSUPPORTED} for an unknown namespace, {@link
   *     XattrException.Kind#INVALID} for a malformed ACL
   * @throws UnsupportedOperationException if this filesystem has no extended attributes
   */
  default void setXattr(String path, String name, byte[] value, XattrMode mode) throws IOException {
    throw new UnsupportedOperationException("this filesystem has no extended attributes");
  }

  /**
   * Removes attribute {@code name} of {@code path}.
   *
   * @throws XattrException of kind {@link XattrException.Kind#NO_SUCH_ATTRIBUTE} if it has none
   * @throws UnsupportedOperationException if this filesystem has no extended attributes
   */
  default void removeXattr(String path, String name) throws IOException {
    throw new UnsupportedOperationException("this filesystem has no extended attributes");
  }
}
