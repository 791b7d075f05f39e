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
