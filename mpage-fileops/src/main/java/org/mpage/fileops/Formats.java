package org.mpage.fileops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.FsInfo;

/**
 * The text of {@code info}, {@code stat} and {@code ls -l} as the command line prints it, and the
 * shorter {@code ls} and {@code stat} the Gogo shell prints by default ({@link #sizeListing},
 * {@link #statSummary}). Lines end with {@code \n}; names inside {@code stat} are escaped, names in
 * a listing are written by {@link FileOps#list} (raw bytes or escaped, as the front-end asks).
 */
public final class Formats {
  /** Times in UTC, to the second. */
  public static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Formats() {}

  /** The superblock summary, one field a line. */
  public static String info(FsInfo i) {
    String text =
        String.join(
            "\n",
            "Filesystem type:   " + i.type(),
            "Volume name:       " + (i.volumeName().isEmpty() ? "<none>" : i.volumeName()),
            "UUID:              " + i.uuid(),
            "Revision:          " + i.revision(),
            "Features:          "
                + String.join(" ", i.features())
                + (i.checksum().isEmpty() ? "" : "\nChecksum:          " + i.checksum()),
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
    // A filesystem with a journal says what the mount did with it; one without has no line.
    return i.journal() == null ? text : text + "Journal:           " + i.journal() + "\n";
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
    sb.append(String.format(Locale.ROOT, " Inode: %d\tLinks: %d", st.ino(), st.links()));
    if (isDevice(st)) {
      // as coreutils' stat: the major and minor numbers in decimal
      sb.append(
          String.format(
              Locale.ROOT,
              "\tDevice type: %d,%d",
              FileStat.major(st.rdev()),
              FileStat.minor(st.rdev())));
    }
    sb.append('\n');
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
    // a device shows "major, minor" where a file shows its size, as ls -l does
    String size =
        isDevice(st)
            ? FileStat.major(st.rdev()) + ", " + FileStat.minor(st.rdev())
            : Long.toString(st.size());
    return String.format(
        Locale.ROOT,
        "%s %3d %5d %5d %10s %s ",
        modeString(st),
        st.links(),
        st.uid(),
        st.gid(),
        size,
        time(st.mtime()));
  }

  private static boolean isDevice(FileStat st) {
    return st.type() == FileType.CHAR_DEVICE || st.type() == FileType.BLOCK_DEVICE;
  }

  /**
   * The columns of a short listing line before the name: the type letter ({@link #typeLetter}) and
   * the size, as the Gogo shell's {@code ls} prints them ({@code - 1234 README}).
   */
  public static String sizeListing(FileStat st) {
    return String.format(Locale.ROOT, "%c %10d ", typeLetter(st.type()), st.size());
  }

  /**
   * A short {@code stat}, one field a line, as the Gogo shell's {@code stat DEV PATH} prints it:
   * path, inode, type, mode, links, owner, size, blocks and mtime (UTC).
   */
  public static String statSummary(String path, FileStat st) {
    return String.join(
        "\n",
        "path:   " + Escape.name(path),
        "inode:  " + st.ino(),
        "type:   " + st.type(),
        "mode:   " + String.format(Locale.ROOT, "%04o", st.permissions()),
        "links:  " + st.links(),
        "uid:    " + st.uid() + "  gid: " + st.gid(),
        "size:   " + st.size(),
        "blocks: " + st.blocks(),
        "mtime:  " + time(st.mtime()) + " UTC",
        "");
  }

  /** Seconds since the epoch as {@code yyyy-MM-dd HH:mm:ss}, UTC. */
  public static String time(long epochSeconds) {
    return TIME.format(Instant.ofEpochSecond(epochSeconds));
  }

  /**
   * {@code drwxr-xr-x}: the type letter and the nine permission bits, with setuid, setgid and
   * sticky shown in the execute slots as coreutils' {@code ls} shows them ({@code s}/{@code S},
   * {@code s}/{@code S}, {@code t}/{@code T}: lower case when the execute bit is set too).
   */
  public static String modeString(FileStat st) {
    int m = st.permissions();
    StringBuilder sb = new StringBuilder().append(typeLetter(st.type()));
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    special(sb, 3, (m & 04000) != 0, 's');
    special(sb, 6, (m & 02000) != 0, 's');
    special(sb, 9, (m & 01000) != 0, 't');
    return sb.toString();
  }

  private static void special(StringBuilder sb, int at, boolean set, char letter) {
    if (set) {
      sb.setCharAt(at, sb.charAt(at) == 'x' ? letter : Character.toUpperCase(letter));
    }
  }

  /** The type as the first letter of {@code ls -l} shows it: {@code d}, {@code l}, {@code -}... */
  public static char typeLetter(FileType t) {
    return switch (t) {
      case DIRECTORY -> 'd';
      case SYMLINK -> 'l';
      case CHAR_DEVICE -> 'c';
      case BLOCK_DEVICE -> 'b';
      case FIFO -> 'p';
      case SOCKET -> 's';
      case REGULAR, UNKNOWN -> '-';
    };
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
