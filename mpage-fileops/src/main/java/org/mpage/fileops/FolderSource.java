package org.mpage.fileops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.mpage.api.fs.FileType;

/**
 * A host folder as a {@link TreeSource}: walked depth first, each folder's names in sorted order
 * (so that inodes and blocks are allocated the same way for the same tree), with the {@code unix}
 * attributes of each file (owners, mode, times, device number). Files with more than one link are
 * found again by (dev, ino): the second and later names become hard links to the first. Symbolic
 * links are kept, never followed. A host name the JVM could not decode exactly ends the walk, as it
 * would end up stored under another name.
 */
final class FolderSource implements TreeSource {
  private static final int S_IFMT = 0170000;

  private record Dir(Path host, String path, Iterator<Path> children) {}

  private final Path root;
  private final Deque<Dir> stack = new ArrayDeque<>();
  private final Map<List<Object>, String> firstNames = new HashMap<>();
  private boolean rootDone;
  private Path current;
  private long bytes;
  private final long total;

  /** Host paths left out: the image being built and its temporary file, if inside the folder. */
  private final java.util.Set<Path> exclude;

  /**
   * @param root the folder, a real path (no symbolic link in it)
   * @param total the bytes of the files, for a progress bar (0 if unknown)
   * @param exclude real host paths to leave out of the tree
   */
  FolderSource(Path root, long total, java.util.Set<Path> exclude) {
    this.root = root;
    this.total = total;
    this.exclude = exclude;
  }

  @Override
  public Entry next() throws IOException {
    if (!rootDone) {
      rootDone = true;
      return entry(root, "/");
    }
    while (!stack.isEmpty()) {
      Dir d = stack.peek();
      if (!d.children().hasNext()) {
        stack.pop();
        continue;
      }
      Path c = d.children().next();
      if (exclude.contains(c)) {
        continue;
      }
      if (!HostNames.exact(d.host(), c)) {
        throw new PathException(
            c.toString(),
            "host name cannot be stored exactly: its bytes are not valid in the host's file name"
                + " encoding ("
                + HostNames.encoding()
                + ")",
            null);
      }
      return entry(c, FileOps.child(d.path(), c.getFileName().toString()));
    }
    return null;
  }

  /**
   * The {@code user.} attributes of the file {@link #next} returned last, as the JDK reads them
   * (its {@code user} view; other namespaces are not readable through it), for regular files and
   * directories: Linux allows {@code user.} attributes on nothing else.
   */
  @Override
  public Map<String, byte[]> xattrs() throws IOException {
    Path host = current;
    if (host == null
        || !(Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)
            || Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS))) {
      return Map.of();
    }
    UserDefinedFileAttributeView view =
        Files.getFileAttributeView(
            host, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return Map.of();
    }
    Map<String, byte[]> out = new java.util.LinkedHashMap<>();
    List<String> names;
    try {
      names = view.list();
    } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
      return Map.of(); // a host filesystem without user attributes
    }
    for (String n : names) {
      ByteBuffer value =
          Errors.local(
              host,
              () -> {
                ByteBuffer b = ByteBuffer.allocate(view.size(n));
                view.read(n, b);
                return b.flip();
              });
      byte[] bytes = new byte[value.remaining()];
      value.get(bytes);
      out.put("user." + n, bytes);
    }
    return out;
  }

  private Entry entry(Path host, String path) throws IOException {
    current = host;
    Map<String, Object> a =
        Errors.local(host, () -> Files.readAttributes(host, "unix:*", LinkOption.NOFOLLOW_LINKS));
    int mode = (Integer) a.get("mode");
    long uid = ((Number) a.get("uid")).longValue() & 0xffff_ffffL;
    long gid = ((Number) a.get("gid")).longValue() & 0xffff_ffffL;
    long atime = ((FileTime) a.get("lastAccessTime")).toMillis() / 1000;
    long mtime = ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
    long size = (Long) a.get("size");
    FileType type = type(mode);
    if (type == FileType.DIRECTORY) {
      List<Path> names = Errors.local(host, () -> list(host));
      stack.push(new Dir(host, path, names.iterator()));
      return new Entry(path, type, mode & 07777, uid, gid, atime, mtime, 0, 0, null, false);
    }
    if ((Integer) a.get("nlink") > 1) {
      List<Object> key = List.of(a.get("dev"), a.get("ino"));
      String first = firstNames.putIfAbsent(key, path);
      if (first != null) {
        return new Entry(path, type, mode & 07777, uid, gid, atime, mtime, 0, 0, first, true);
      }
    }
    return switch (type) {
      case SYMLINK -> {
        Path target = Errors.local(host, () -> Files.readSymbolicLink(host));
        if (!HostNames.exactTarget(target)) {
          throw new PathException(
              host.toString(),
              "symlink target cannot be stored exactly: not valid in the host's file name encoding ("
                  + HostNames.encoding()
                  + ")",
              null);
        }
        yield new Entry(path, type, 0777, uid, gid, atime, mtime, 0, 0, target.toString(), false);
      }
      case CHAR_DEVICE, BLOCK_DEVICE ->
          new Entry(
              path,
              type,
              mode & 07777,
              uid,
              gid,
              atime,
              mtime,
              0,
              ((Number) a.get("rdev")).longValue(),
              null,
              false);
      default -> new Entry(path, type, mode & 07777, uid, gid, atime, mtime, size, 0, null, false);
    };
  }

  static FileType type(int mode) {
    return switch (mode & S_IFMT) {
      case 0100000 -> FileType.REGULAR;
      case 0040000 -> FileType.DIRECTORY;
      case 0120000 -> FileType.SYMLINK;
      case 0020000 -> FileType.CHAR_DEVICE;
      case 0060000 -> FileType.BLOCK_DEVICE;
      case 0010000 -> FileType.FIFO;
      case 0140000 -> FileType.SOCKET;
      default -> FileType.UNKNOWN;
    };
  }

  @Override
  public InputStream content() throws IOException {
    Path file = current;
    InputStream in = Errors.local(file, () -> Files.newInputStream(file));
    return new java.io.FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = Errors.local(file, () -> super.read(b, off, len));
        if (n > 0) {
          bytes += n;
        }
        return n;
      }
    };
  }

  @Override
  public long bytesRead() {
    return bytes;
  }

  @Override
  public long totalBytes() {
    return total;
  }

  /** A folder's entries sorted by name, so that the image gets them in a stable order. */
  private static List<Path> list(Path dir) throws IOException {
    try (var stream = Files.list(dir)) {
      return stream.sorted().toList();
    }
  }

  @Override
  public void close() {
    stack.clear();
  }
}
