package org.mpage.fileops;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.mpage.api.fs.FileType;

/**
 * A tree of files to build an image from, read once from the front: a host folder ({@link
 * FolderSource}) or a tar archive ({@link TarSource}). {@link TreeBuilder} takes the entries in
 * order and makes each in the image.
 *
 * <p>Order: a directory comes before what it holds (a tar may leave a directory out; the builder
 * then makes it), a hard link after the entry it links to. Paths are absolute image paths, already
 * checked to have no {@code .} or {@code ..} component; {@code /} is the root itself. One thread at
 * a time; {@link #content} is valid until the next {@link #next}.
 */
public interface TreeSource extends AutoCloseable {
  /** The next entry, or null after the last. */
  Entry next() throws IOException;

  /** The bytes of the regular file {@link #next} returned last ({@link Entry#size} of them). */
  InputStream content() throws IOException;

  /**
   * The extended attributes of the entry {@link #next} returned last, by full name ({@code
   * user.comment}, {@code security.selinux}, {@code system.posix_acl_access} in the Linux xattr
   * format); empty if it has none or the source cannot say.
   */
  default Map<String, byte[]> xattrs() throws IOException {
    return Map.of();
  }

  /** Bytes of the source read so far and the total (0 if unknown), for progress. */
  default long bytesRead() {
    return 0;
  }

  /** What a progress bar counts towards: the source's size in bytes, or 0 if unknown. */
  default long totalBytes() {
    return 0;
  }

  @Override
  void close() throws IOException;

  /**
   * One file of the tree with the attributes the builder gives it: owners, the mode's 07777 bits,
   * times in seconds. Its extended attributes come from {@link TreeSource#xattrs}.
   *
   * @param linkTarget a symlink's target, or for a {@link #hardLink} the image path of the entry it
   *     links to; null otherwise
   * @param hardLink whether this is a second name of an earlier entry (its attributes are that
   *     entry's)
   * @param rdev a device's number (see {@link org.mpage.api.fs.FileStat#makedev}), else 0
   */
  record Entry(
      String path,
      FileType type,
      int mode,
      long uid,
      long gid,
      long atime,
      long mtime,
      long size,
      long rdev,
      String linkTarget,
      boolean hardLink) {}
}
