package org.mpage.fileops;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;

/**
 * {@code get} and {@code get -r}: a file or a tree copied from the image to the host, as {@code cp
 * -a} or {@code debugfs rdump} would.
 *
 * <p>The walk is iterative (a tree thousands of levels deep needs no stack) and remembers every
 * directory inode it has copied: a directory met again, through a loop or a hard link to a
 * directory, is reported and not copied twice. An entry that cannot be copied (a name the host
 * cannot hold, two entries of one name, a host error) is reported on its own line and the walk goes
 * on; the command then exits 1. A host that runs out of space ends the walk at once. Holes in the
 * image's files stay holes on the host.
 */
final class CopyOut {
  private record Item(String path, FileStat st, Path target) {}

  private final FileOps ops;
  private final FileSystem fs;

  /** Directory inodes copied so far, with the image path of each. */
  private final Map<Long, String> dirsSeen = new HashMap<>();

  /** Directories made, in order: their times and modes are set last, deepest first. */
  private final List<Item> madeDirs = new ArrayList<>();

  CopyOut(FileOps ops) {
    this.ops = ops;
    this.fs = ops.fileSystem();
  }

  /** Copies {@code path} (already stat'ed) to {@code target}. */
  void copy(String path, FileStat st, Path target) throws IOException {
    if (st.type() != FileType.DIRECTORY) {
      copyOne(new Item(path, st, target));
      return;
    }
    Deque<Item> work = new ArrayDeque<>();
    work.push(new Item(path, st, target));
    while (!work.isEmpty()) {
      Item item = work.pop();
      try {
        if (item.st().type() == FileType.DIRECTORY) {
          List<Item> children = directory(item);
          for (int i = children.size() - 1; i >= 0; i--) {
            work.push(children.get(i));
          }
        } else {
          copyOne(item);
        }
      } catch (PathException e) {
        if (Errors.isFatal(e)) {
          throw e;
        }
        ops.reporter().failed(e.path(), e.reason());
      }
    }
    for (int i = madeDirs.size() - 1; i >= 0; i--) {
      Item d = madeDirs.get(i);
      try {
        setAttributes(d.target(), d.st());
      } catch (PathException e) {
        ops.reporter().failed(e.path(), e.reason());
      }
    }
  }

  /** Makes the host folder of a directory and returns its children to copy. */
  private List<Item> directory(Item dir) throws IOException {
    String first = dirsSeen.putIfAbsent(dir.st().ino(), dir.path());
    if (first != null) {
      boolean loop = first.equals("/") || dir.path().startsWith(first + "/");
      throw new PathException(
          dir.path(),
          loop
              ? "directory loop: the same directory as its ancestor " + Escape.name(first)
              : "hard link to directory " + Escape.name(first) + ", copied once only",
          null);
    }
    Path target = dir.target();
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      Errors.local(target, () -> Files.createDirectory(target));
    }
    madeDirs.add(dir);
    List<Item> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (DirEntry e : Errors.guarded(dir.path(), () -> fs.list(dir.path()))) {
      String child = FileOps.child(dir.path(), e.name());
      if (!names.add(e.name())) {
        ops.reporter()
            .failed(child, "a second entry of this name (inode " + e.ino() + "); skipped");
        continue;
      }
      Path hostChild;
      try {
        hostChild = HostNames.child(target, e.name());
      } catch (IllegalArgumentException bad) {
        ops.reporter().failed(child, bad.getMessage());
        continue;
      }
      FileStat cst;
      try {
        cst = Errors.guarded(child, () -> fs.lstat(child));
      } catch (PathException bad) {
        ops.reporter().failed(bad.path(), bad.reason());
        continue;
      }
      if (cst.ino() != e.ino()) {
        ops.reporter()
            .failed(child, "a second entry of this name (inode " + e.ino() + "); skipped");
        continue;
      }
      out.add(new Item(child, cst, hostChild));
    }
    return out;
  }

  private void copyOne(Item item) throws IOException {
    String path = item.path();
    Path target = item.target();
    switch (item.st().type()) {
      case SYMLINK -> {
        String link = Errors.guarded(path, () -> fs.readLink(path));
        Path linkTarget;
        try {
          linkTarget = Path.of(link);
        } catch (InvalidPathException e) {
          throw new PathException(
              path,
              "symlink target cannot be written in the host's file name encoding ("
                  + HostNames.encoding()
                  + ")",
              e);
        }
        Errors.local(target, () -> Files.createSymbolicLink(target, linkTarget));
      }
      case REGULAR -> {
        copyFile(path, target);
        // Mode and time belong to a file we wrote; never to /dev/null, a pipe or a device (where
        // even setting the time would open, and so block on, a FIFO without a writer).
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
          setAttributes(target, item.st());
        }
      }
      default -> ops.reporter().skipped(path, Formats.typeName(item.st().type()));
    }
  }

  private static void setAttributes(Path t, FileStat st) throws PathException {
    Errors.local(
        t, () -> Files.setPosixFilePermissions(t, HostModes.permissions(st.permissions())));
    Errors.local(t, () -> Files.setLastModifiedTime(t, FileTime.fromMillis(st.mtime() * 1000)));
  }

  /**
   * One file's bytes. Into a regular host file only the data the block map has is written, and the
   * size is set at the end, so holes stay holes (a 2 TiB sparse file of 32 blocks takes 32 blocks
   * on the host too); a pipe or device gets every byte, zeros included.
   */
  private void copyFile(String path, Path target) throws IOException {
    boolean sparse =
        !Files.exists(target) || Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS);
    try (FileHandle f = Errors.guarded(path, () -> fs.open(path));
        FileChannel dst =
            Errors.local(
                target,
                () ->
                    FileChannel.open(
                        target,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE))) {
      long size = f.size();
      Progress progress = ops.progress("get " + path, size);
      long pos = 0;
      while (pos < size) {
        long at = pos;
        long data = sparse ? Errors.guarded(path, () -> f.nextData(at)) : pos;
        if (data >= size) {
          break;
        }
        long hole = sparse ? Errors.guarded(path, () -> f.nextHole(data)) : size;
        copyRange(path, f, target, dst, sparse, data, Math.max(hole, data + 1));
        pos = Math.max(hole, data + 1);
        progress.update(Math.min(pos, size));
      }
      if (sparse && dst.size() != size) {
        Errors.local(target, () -> extendTo(target, size)); // a hole at the end
      }
      progress.finish();
    }
  }

  /** Bytes {@code [from, to)} spliced from the page cache into the host file. */
  private void copyRange(
      String path,
      FileHandle f,
      Path target,
      FileChannel dst,
      boolean positioned,
      long from,
      long to)
      throws IOException {
    // A regular file is written at the data's offsets (holes skipped); a pipe or device cannot
    // seek and gets the bytes in order (then from is always where the last range ended).
    HostChannel sink = positioned ? new HostChannel(dst, from) : new HostChannel(dst);
    long pos = from;
    while (pos < to) {
      long at = pos;
      long n;
      try {
        n = Errors.guarded(path, () -> f.transferTo(at, to - at, sink));
      } catch (PathException e) {
        if (e.getCause() instanceof HostChannel.Failed failed) {
          throw new PathException(
              target.toString(), Errors.reason(failed.reason()), failed.reason());
        }
        throw e;
      }
      if (n <= 0) {
        break;
      }
      pos += n;
    }
  }

  /** Sets a regular file's length, leaving a hole at its end when it grows (ftruncate). */
  private static Void extendTo(Path target, long size) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
      if (raf.length() != size) {
        raf.setLength(size);
      }
    }
    return null;
  }
}
