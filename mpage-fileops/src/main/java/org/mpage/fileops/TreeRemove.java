package org.mpage.fileops;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;

/**
 * {@code rm -r}: a tree removed depth first without recursion, so that a tree thousands of levels
 * deep needs no stack. A directory met twice (a loop, or a hard link to a directory in a corrupt
 * image) is reported and left alone: removing it through the second name would free an inode that
 * is still linked. Each failure is one line; the walk goes on and the command exits 1.
 */
final class TreeRemove {
  /** A directory on the walk; {@code listed} once its entries have been queued. */
  private static final class Dir {
    final String path;
    boolean listed;

    Dir(String path) {
      this.path = path;
    }
  }

  private final FileOps ops;
  private final FileSystem fs;
  private final Map<Long, String> dirsSeen = new HashMap<>();

  TreeRemove(FileOps ops) {
    this.ops = ops;
    this.fs = ops.fileSystem();
  }

  void remove(String top, FileStat st) throws IOException {
    Deque<Dir> work = new ArrayDeque<>();
    dirsSeen.put(st.ino(), top);
    work.push(new Dir(top));
    while (!work.isEmpty()) {
      Dir d = work.peek();
      if (d.listed) {
        work.pop();
        if (!d.path.equals("/")) {
          report(
              d.path,
              () -> {
                fs.rmdir(d.path);
                return null;
              });
        }
        continue;
      }
      d.listed = true;
      Iterable<DirEntry> entries;
      try {
        entries = Errors.guarded(d.path, () -> fs.list(d.path));
      } catch (PathException e) {
        ops.reporter().failed(e.path(), e.reason());
        continue;
      }
      FileStat self = report(d.path, () -> fs.lstat(d.path));
      long parentIno = self == null ? -1 : self.ino();
      for (DirEntry e : entries) {
        String child = FileOps.child(d.path, e.name());
        FileStat cst = report(child, () -> fs.lstat(child));
        if (cst == null) {
          continue;
        }
        if (cst.type() != FileType.DIRECTORY) {
          report(
              child,
              () -> {
                fs.unlink(child);
                return null;
              });
          continue;
        }
        String first = dirsSeen.putIfAbsent(cst.ino(), child);
        if (first != null) {
          ops.reporter()
              .failed(child, "directory loop: the same directory as " + Escape.name(first));
          continue;
        }
        if (!parentIs(child, parentIno)) {
          ops.reporter()
              .failed(child, "a second name of a directory whose '..' is elsewhere; not removed");
          continue;
        }
        work.push(new Dir(child));
      }
    }
  }

  /**
   * Whether directory {@code dir}'s {@code ..} entry points at {@code parentIno}: true of every
   * directory reached by its one real name, false of an extra hard link to a directory (a corrupt
   * image), through which removing would destroy a tree that lives elsewhere.
   */
  private boolean parentIs(String dir, long parentIno) {
    try {
      return fs.lstat(FileOps.child(dir, "..")).ino() == parentIno;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs one change; a failure is reported and null returned. */
  private <T> T report(String path, Errors.IoCall<T> call) {
    try {
      return Errors.guarded(path, call);
    } catch (PathException e) {
      ops.reporter().failed(e.path(), e.reason());
      return null;
    }
  }
}
