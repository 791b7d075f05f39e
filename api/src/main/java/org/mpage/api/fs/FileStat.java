package org.mpage.api.fs;

/**
 * What {@code stat} says of a file. Times are seconds since the epoch; {@code blocks} counts
 * 512-byte units as {@code st_blocks} does.
 *
 * @param permissions the mode's permission bits (07777)
 * @param rdev a character or block device's number as the kernel's user-space {@code dev_t} ({@link
 *     #makedev}); 0 for every other type
 */
public record FileStat(
    long ino,
    FileType type,
    int permissions,
    int links,
    long uid,
    long gid,
    long size,
    long blocks,
    long atime,
    long mtime,
    long ctime,
    long rdev) {

  /** A file that is not a device (rdev 0): the constructor of versions before 1.5. */
  public FileStat(
      long ino,
      FileType type,
      int permissions,
      int links,
      long uid,
      long gid,
      long size,
      long blocks,
      long atime,
      long mtime,
      long ctime) {
    this(ino, type, permissions, links, uid, gid, size, blocks, atime, mtime, ctime, 0);
  }

  /** glibc's {@code makedev}: a device number from its major and minor (each up to 32 bits). */
  public static long makedev(long major, long minor) {
    return ((major & 0xffff_f000L) << 32)
        | ((major & 0xfffL) << 8)
        | ((minor & 0xffff_ff00L) << 12)
        | (minor & 0xffL);
  }

  /** glibc's {@code major}. */
  public static long major(long rdev) {
    return ((rdev >>> 32) & 0xffff_f000L) | ((rdev >>> 8) & 0xfffL);
  }

  /** glibc's {@code minor}. */
  public static long minor(long rdev) {
    return ((rdev >>> 12) & 0xffff_ff00L) | (rdev & 0xffL);
  }
}
