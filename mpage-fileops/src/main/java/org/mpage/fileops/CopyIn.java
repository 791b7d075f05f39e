package org.mpage.fileops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;

/**
 * {@code put} and {@code put -r}: host files copied into the image (FIFOs, sockets and devices made
 * again with their numbers).
 *
 * <p>A file is written under a temporary name next to its target, made durable, given its mode and
 * time, and only then renamed over the target: whatever goes wrong (the image fills up, the host
 * file cannot be read), the file that was there before is untouched and the temporary one is
 * removed. The walk of a host tree is iterative; a host name the JVM could not decode exactly is
 * refused on its own line rather than stored under a changed name, and the walk goes on (exit 1 at
 * the end). A full image ends the walk.
 */
final class CopyIn {
  private record Item(Path local, String path) {}

  private record Dir(String path, HostModes.Attributes attributes) {}

  private final FileOps ops;
  private final FileSystem fs;
  private final FileOps.PutOptions options;
  private final List<Dir> madeDirs = new ArrayList<>();

  CopyIn(FileOps ops, FileOps.PutOptions options) {
    this.ops = ops;
    this.fs = ops.fileSystem();
    this.options = options;
  }

  void copy(Path local, String path) throws IOException {
    Deque<Item> work = new ArrayDeque<>();
    work.push(new Item(local, path));
    boolean top = true;
    while (!work.isEmpty()) {
      Item item = work.pop();
      try {
        List<Item> children = copyOne(item);
        for (int i = children.size() - 1; i >= 0; i--) {
          work.push(children.get(i));
        }
      } catch (PathException e) {
        if (top || Errors.isFatal(e)) {
          throw e;
        }
        ops.reporter().failed(e.path(), e.reason());
      }
      top = false;
    }
    for (int i = madeDirs.size() - 1; i >= 0; i--) {
      Dir d = madeDirs.get(i);
      try {
        Errors.guarded(d.path(), () -> setAttributes(d.path(), d.attributes(), false));
      } catch (PathException e) {
        ops.reporter().failed(e.path(), e.reason());
      }
    }
  }

  /** Copies one host entry; a directory's children are returned to be copied next. */
  private List<Item> copyOne(Item item) throws IOException {
    Path local = item.local();
    String path = item.path();
    if (Files.isSymbolicLink(local)) {
      Path link = Errors.local(local, () -> Files.readSymbolicLink(local));
      if (!HostNames.exactTarget(link)) {
        throw new PathException(
            local.toString(),
            "symlink target cannot be stored exactly: not valid in the host's file name encoding ("
                + HostNames.encoding()
                + "); skipped",
            null);
      }
      HostModes.Attributes attributes = Errors.local(local, () -> HostModes.attributes(local));
      removeIfPresent(path);
      Errors.guarded(
          path,
          () -> {
            fs.symlink(link.toString(), path);
            setAttributes(path, attributes, true);
          });
      return List.of();
    }
    HostModes.Attributes attributes = Errors.local(local, () -> HostModes.attributes(local));
    int perms = attributes.mode();
    if (Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS)) {
      if (!path.equals("/") && !isDir(path)) {
        removeIfPresent(path);
        Errors.guarded(
            path,
            () -> {
              fs.mkdir(path, perms);
              return null;
            });
      }
      if (!path.equals("/")) {
        madeDirs.add(new Dir(path, attributes));
      }
      List<Path> listed = Errors.local(local, () -> list(local));
      List<Item> children = new ArrayList<>();
      for (Path c : listed) {
        if (!HostNames.exact(local, c)) {
          ops.reporter()
              .failed(
                  c.toString(),
                  "host name cannot be stored exactly: its bytes are not valid in the host's file"
                      + " name encoding ("
                      + HostNames.encoding()
                      + "; Java shows such bytes as U+FFFD, as in this name); skipped");
          continue;
        }
        children.add(new Item(c, FileOps.child(path, c.getFileName().toString())));
      }
      return children;
    }
    if (Files.isRegularFile(local, LinkOption.NOFOLLOW_LINKS)) {
      if (isDir(path)) {
        throw new PathException(path, "is a directory", null);
      }
      putFile(local, path, attributes);
      return List.of();
    }
    putSpecial(local, path, attributes);
    return List.of();
  }

  /** A FIFO, socket or device: made again with mknod, with its number; anything else skipped. */
  private void putSpecial(Path local, String path, HostModes.Attributes attributes)
      throws IOException {
    FileType type;
    long rdev;
    try {
      java.util.Map<String, Object> a =
          Files.readAttributes(local, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
      type = FolderSource.type((Integer) a.get("mode"));
      rdev = ((Number) a.get("rdev")).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      type = FileType.UNKNOWN;
      rdev = 0;
    }
    if (type == FileType.UNKNOWN) {
      ops.reporter().skipped(local.toString(), "not a regular file, directory or symlink");
      return;
    }
    if (isDir(path)) {
      throw new PathException(path, "is a directory", null);
    }
    removeIfPresent(path);
    FileType t = type;
    long dev = rdev;
    Errors.guarded(
        path,
        () -> {
          fs.mknod(path, t, attributes.mode() & 07777, dev);
          setAttributes(path, attributes, false);
        });
  }

  /**
   * Writes the file under a temporary name in the target's directory, then renames it over the
   * target: an existing file is replaced only by a complete new one.
   */
  private void putFile(Path local, String path, HostModes.Attributes attributes)
      throws IOException {
    String tmp = temporaryName(path);
    boolean done = false;
    try {
      writeFile(local, tmp, path, attributes.mode() & 0777);
      Errors.guarded(
          path,
          () -> {
            setAttributes(tmp, attributes, false);
            fs.rename(tmp, path);
          });
      done = true;
    } finally {
      if (!done) {
        try {
          fs.unlink(tmp);
        } catch (IOException | RuntimeException e) {
          // it was never made, or the image refuses even this: the target is untouched either way
        }
      }
    }
  }

  /**
   * The owners (the options', else the source's where the host gives them), mode (the options' for
   * all but directories, else the source's; none for a symlink) and times of a copy.
   */
  private void setAttributes(String path, HostModes.Attributes a, boolean symlink)
      throws IOException {
    long uid = options.uid() != -1 ? options.uid() : a.uid();
    long gid = options.gid() != -1 ? options.gid() : a.gid();
    if (uid != -1 || gid != -1) {
      fs.setOwner(path, uid, gid);
    }
    if (!symlink) {
      boolean dir = fs.lstat(path).type() == FileType.DIRECTORY;
      int mode = options.mode() != -1 && !dir ? options.mode() : a.mode();
      fs.setAttributes(path, mode, a.mtime());
    }
    fs.setTimes(path, a.atime(), a.mtime());
  }

  /** A name next to {@code path} that nothing has: never an existing file to overwrite. */
  private String temporaryName(String path) throws PathException {
    for (int attempt = 0; attempt < 16; attempt++) {
      String tmp =
          FileOps.child(
              FileOps.parent(path),
              String.format(".mpage-put-%08x.tmp", ThreadLocalRandom.current().nextInt()));
      try {
        fs.lstat(tmp);
      } catch (NoSuchFileException free) {
        return tmp;
      } catch (IOException e) {
        throw new PathException(path, Errors.reason(e), e);
      }
    }
    throw new PathException(path, "no free temporary name next to it", null);
  }

  /** The bytes of {@code local} into the new file {@code tmp}; errors name {@code path}. */
  private void writeFile(Path local, String tmp, String path, int perms) throws IOException {
    try (FileChannel src =
            Errors.local(local, () -> FileChannel.open(local, StandardOpenOption.READ));
        FileHandle dst = Errors.guarded(path, () -> fs.openWrite(tmp, true, true, perms))) {
      long size = src.size();
      ByteBuffer buf = ops.ioBuffer();
      Progress progress = ops.progress("put " + path, size);
      long pos = 0;
      while (pos < size) {
        buf.clear();
        long at = pos;
        int n = Errors.local(local, () -> src.read(buf, at));
        if (n < 0) {
          break;
        }
        buf.flip();
        while (buf.hasRemaining()) {
          long w = pos + (n - buf.remaining());
          Errors.guarded(path, () -> dst.write(w, buf));
        }
        pos += n;
        progress.update(pos);
      }
      Errors.guarded(
          path,
          () -> {
            dst.fsync();
            return null;
          });
      progress.finish();
    }
  }

  /** A host folder's entries, sorted by name so that the image gets them in a stable order. */
  private static List<Path> list(Path dir) throws IOException {
    try (var stream = Files.list(dir)) {
      return stream.sorted().toList();
    }
  }

  private boolean isDir(String path) {
    try {
      return fs.stat(path).type() == FileType.DIRECTORY;
    } catch (IOException e) {
      return false;
    }
  }

  private void removeIfPresent(String path) throws IOException {
    FileStat st;
    try {
      st = fs.lstat(path);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new PathException(path, Errors.reason(e), e);
    }
    if (st.type() == FileType.DIRECTORY) {
      throw new PathException(path, "is a directory", null);
    }
    Errors.guarded(
        path,
        () -> {
          fs.unlink(path);
          return null;
        });
  }
}
