package org.mpage.fileops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Permission bits between an image's mode and the host's POSIX permissions. */
final class HostModes {
  /** rwxrwxrwx from the most significant bit down. */
  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OWNER_READ,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_EXECUTE
  };

  private HostModes() {}

  /** The nine permission bits of a host file (0755 or 0644 where the host has none). */
  static int of(Path local) {
    try {
      int mode = 0;
      Set<PosixFilePermission> perms =
          Files.getPosixFilePermissions(local, LinkOption.NOFOLLOW_LINKS);
      for (int bit = 0; bit < 9; bit++) {
        if (perms.contains(BITS[bit])) {
          mode |= 1 << (8 - bit);
        }
      }
      return mode;
    } catch (IOException | UnsupportedOperationException e) {
      return Files.isDirectory(local) ? 0755 : 0644;
    }
  }

  /**
   * What {@code put} keeps of a host file: owners (-1 where the host does not say), the mode's
   * 07777 bits, access and modification times in seconds.
   */
  record Attributes(long uid, long gid, int mode, long atime, long mtime) {}

  /**
   * The {@code unix} attributes of {@code local} (not following a symlink), or what the host has.
   */
  static Attributes attributes(Path local) throws IOException {
    try {
      java.util.Map<String, Object> a =
          Files.readAttributes(
              local,
              "unix:uid,gid,mode,lastAccessTime,lastModifiedTime",
              LinkOption.NOFOLLOW_LINKS);
      return new Attributes(
          ((Number) a.get("uid")).longValue() & 0xffff_ffffL,
          ((Number) a.get("gid")).longValue() & 0xffff_ffffL,
          (Integer) a.get("mode") & 07777,
          seconds(a.get("lastAccessTime")),
          seconds(a.get("lastModifiedTime")));
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      var basic =
          Files.readAttributes(
              local, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return new Attributes(
          -1, -1, of(local), seconds(basic.lastAccessTime()), seconds(basic.lastModifiedTime()));
    }
  }

  private static long seconds(Object time) {
    return Math.floorDiv(((java.nio.file.attribute.FileTime) time).toMillis(), 1000);
  }

  /** The host permissions of an image mode's nine permission bits. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        set.add(BITS[i]);
      }
    }
    return set;
  }
}
