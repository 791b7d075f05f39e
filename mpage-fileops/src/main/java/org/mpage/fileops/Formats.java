package org.mpage.fileops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.FsInfo;

/**
 * The text of {@code info}, {@code stat} and {@code ls -l} as the command line prints it. Lines end
 * with {@code \n}; names inside {@code stat} are escaped, names in a listing are written by {@link
 * FileOps#list} (raw bytes or escaped, as the front-end asks).
 */
public final class Formats {
  /** Times in UTC, to the second. */
  public static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Formats() {}

  /** The superblock summary, one field a line. */
  public static String info(FsInfo i) {
    return String.join(
        "\n",
        "Filesystem type:   " + i.type(),
        "Volume name:       " + (i.volumeName().isEmpty() ? "<none>" : i.volumeName()),
        "UUID:              " + i.uuid(),
        "Revision:          " + i.revision(),
        "Features:          " + String.join(" ", i.features()),
        "State:             " + i.state(),
        "Block size:        " + i.blockSize(),
        "Blocks:            " + i.blocksCount(),
        "Free blocks:       " + i.freeBlocks(),
        "Inodes:            " + i.inodesCount(),
        "Free inodes:       " + i.freeInodes(),
        "Inode size:        " + i.inodeSize(),
        "Block groups:      " + i.groups(),
        "Mounted read-only: " + (i.readOnly() ? "yes" : "no"),
        "");
  }

  /**
   * What {@code stat} prints of {@code path}: {@code linkTarget} is the symlink's target, or null
   * for any other type.
   */
  public static String stat(String path, FileStat st, String linkTarget) {
    StringBuilder sb = new StringBuilder();
    sb.append("  File: ").append(Escape.name(path));
    if (linkTarget != null) {
      sb.append(" -> ").append(Escape.name(linkTarget));
    }
    sb.append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "  Size: %d\tBlocks: %d\t%s\n",
            st.size(),
            st.blocks(),
            typeName(st.type())));
    sb.append(String.format(Locale.ROOT, " Inode: %d\tLinks: %d\n", st.ino(), st.links()));
    sb.append(
        String.format(
            Locale.ROOT,
            "Access: (%04o/%s)\tUid: %d\tGid: %d\n",
            st.permissions(),
            modeString(st),
            st.uid(),
            st.gid()));
    sb.append("Access: ").append(time(st.atime())).append(" UTC\n");
    sb.append("Modify: ").append(time(st.mtime())).append(" UTC\n");
    sb.append("Change: ").append(time(st.ctime())).append(" UTC\n");
    return sb.toString();
  }

  /**
   * The columns of an {@code ls -l} line before the name: mode, links, uid, gid, size, mtime, and
   * the space before the name.
   */
  public static String longListing(FileStat st) {
    return String.format(
        Locale.ROOT,
        "%s %3d %5d %5d %10d %s ",
        modeString(st),
        st.links(),
        st.uid(),
        st.gid(),
        st.size(),
        time(st.mtime()));
  }

  /** Seconds since the epoch as {@code yyyy-MM-dd HH:mm:ss}, UTC. */
  public static String time(long epochSeconds) {
    return TIME.format(Instant.ofEpochSecond(epochSeconds));
  }

  /** {@code drwxr-xr-x}: the type letter and the nine permission bits. */
  public static String modeString(FileStat st) {
    char t =
        switch (st.type()) {
          case DIRECTORY -> 'd';
          case SYMLINK -> 'l';
          case CHAR_DEVICE -> 'c';
          case BLOCK_DEVICE -> 'b';
          case FIFO -> 'p';
          case SOCKET -> 's';
          default -> '-';
        };
    int m = st.permissions();
    StringBuilder sb = new StringBuilder().append(t);
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    return sb.toString();
  }

  /** The type as {@code stat} names it: {@code regular file}, {@code directory}... */
  public static String typeName(FileType t) {
    return switch (t) {
      case REGULAR -> "regular file";
      case DIRECTORY -> "directory";
      case SYMLINK -> "symbolic link";
      case CHAR_DEVICE -> "character special file";
      case BLOCK_DEVICE -> "block special file";
      case FIFO -> "fifo";
      case SOCKET -> "socket";
      case UNKNOWN -> "unknown";
    };
  }
}
