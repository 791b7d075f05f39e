package org.mpage.nio;

import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;

/** What {@code stat} says, as the JDK's POSIX attributes. */
record ImageAttributes(FileStat stat) implements PosixFileAttributes {
  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ,
  };

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < BITS.length; i++) {
      if ((mode & (1 << i)) != 0) {
        out.add(BITS[i]);
      }
    }
    return out;
  }

  static int mode(Set<PosixFilePermission> perms) {
    for (Object o : perms) { // a set of something else (an unchecked cast) is not mode 000
      if (!(o instanceof PosixFilePermission)) {
        throw new ClassCastException(
            (o == null ? "null" : o.getClass().getName()) + " is not a PosixFilePermission");
      }
    }
    int mode = 0;
    for (int i = 0; i < BITS.length; i++) {
      if (perms.contains(BITS[i])) {
        mode |= 1 << i;
      }
    }
    return mode;
  }

  private static FileTime time(long seconds) {
    return FileTime.from(seconds, TimeUnit.SECONDS);
  }

  @Override
  public FileTime lastModifiedTime() {
    return time(stat.mtime());
  }

  @Override
  public FileTime lastAccessTime() {
    return time(stat.atime());
  }

  /** ext2 keeps no birth time; like the JDK on Linux without one, the modification time. */
  @Override
  public FileTime creationTime() {
    return lastModifiedTime();
  }

  @Override
  public boolean isRegularFile() {
    return stat.type() == FileType.REGULAR;
  }

  @Override
  public boolean isDirectory() {
    return stat.type() == FileType.DIRECTORY;
  }

  @Override
  public boolean isSymbolicLink() {
    return stat.type() == FileType.SYMLINK;
  }

  @Override
  public boolean isOther() {
    return !isRegularFile() && !isDirectory() && !isSymbolicLink();
  }

  @Override
  public long size() {
    return stat.size();
  }

  /** The inode number: equal keys are the same file within one image. */
  @Override
  public Object fileKey() {
    return stat.ino();
  }

  @Override
  public UserPrincipal owner() {
    return new Principals.User(stat.uid());
  }

  @Override
  public GroupPrincipal group() {
    return new Principals.Group(stat.gid());
  }

  @Override
  public Set<PosixFilePermission> permissions() {
    return permissions(stat.permissions());
  }

  /** The {@code st_mode} with its file-type bits. */
  int fullMode() {
    int type =
        switch (stat.type()) {
          case REGULAR -> 0100000;
          case DIRECTORY -> 0040000;
          case SYMLINK -> 0120000;
          case CHAR_DEVICE -> 0020000;
          case BLOCK_DEVICE -> 0060000;
          case FIFO -> 0010000;
          case SOCKET -> 0140000;
          default -> 0;
        };
    return type | (stat.permissions() & 07777);
  }

  /** The attributes of one view by name, as {@code Files.readAttributes(path, "view:*")}. */
  Map<String, Object> asMap(String view) {
    Map<String, Object> m = new HashMap<>();
    m.put("lastModifiedTime", lastModifiedTime());
    m.put("lastAccessTime", lastAccessTime());
    m.put("creationTime", creationTime());
    m.put("size", size());
    m.put("isRegularFile", isRegularFile());
    m.put("isDirectory", isDirectory());
    m.put("isSymbolicLink", isSymbolicLink());
    m.put("isOther", isOther());
    m.put("fileKey", fileKey());
    if (view.equals("owner")) {
      return Map.of("owner", owner());
    }
    if (view.equals("posix") || view.equals("unix")) {
      m.put("owner", owner());
      m.put("group", group());
      m.put("permissions", permissions());
    }
    if (view.equals("unix")) {
      m.put("ino", stat.ino());
      m.put("nlink", stat.links());
      m.put("uid", (int) stat.uid());
      m.put("gid", (int) stat.gid());
      m.put("mode", fullMode());
      m.put("ctime", time(stat.ctime()));
      m.put("blocks", stat.blocks());
      m.put("rdev", stat.rdev());
    }
    return m;
  }
}
