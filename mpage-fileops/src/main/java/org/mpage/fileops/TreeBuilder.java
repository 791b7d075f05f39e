package org.mpage.fileops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.XattrMode;

/**
 * Fills a freshly made filesystem from a {@link TreeSource} in one pass: each entry is made (a
 * directory, a file with its data, a symbolic or hard link, a device, FIFO or socket) and then
 * given its attributes ({@link #applyAttributes}); a directory's are given at the end, after
 * everything inside it has changed its times. Blocks of zeros are left as holes, as {@code mke2fs
 * -d} leaves them, so sparse files stay sparse.
 *
 * <p>What it refuses, each ending the build with one {@link PathException}: a path under a symbolic
 * link the tree made (never written through), a path whose parent is not a directory, a directory
 * in place of a file, a hard link to a missing or directory entry. The image is left half-filled;
 * {@link ImageBuild} throws it away. One instance per build.
 */
final class TreeBuilder {
  /** What the build did, for the caller's summary. */
  record Summary(long files, long directories, long bytes) {}

  private record DirAttributes(
      String path, TreeSource.Entry entry, SortedMap<String, byte[]> xattrs) {}

  private final FileSystem fs;
  private final long clamp;
  private final Set<String> dirs = new HashSet<>();
  private final Set<String> symlinks = new HashSet<>();
  private final List<DirAttributes> dirAttributes = new ArrayList<>();
  private final byte[] block;
  private final byte[] zeros;
  private long files;
  private long bytes;

  /** Where the current file's last written bytes end: past it, only a size change is needed. */
  private long writtenEnd;

  /**
   * @param clamp SOURCE_DATE_EPOCH: no time later than this (seconds), or -1 for none
   */
  TreeBuilder(FileSystem fs, long clamp) {
    this.fs = fs;
    this.clamp = clamp;
    int bs = fs.info().blockSize();
    this.block = new byte[Math.max(bs, 64 << 10) / bs * bs];
    this.zeros = new byte[bs];
    dirs.add("/");
  }

  Summary build(TreeSource source, Progress progress) throws IOException {
    for (TreeSource.Entry e; (e = source.next()) != null; ) {
      make(source, e);
      progress.update(source.bytesRead());
    }
    // Deepest last made, first given its times: a directory's times are final only once nothing
    // below it changes (setting attributes does not change the parent's).
    for (int i = dirAttributes.size() - 1; i >= 0; i--) {
      DirAttributes d = dirAttributes.get(i);
      applyAttributes(d.path(), d.entry(), d.xattrs());
    }
    progress.finish();
    return new Summary(files, dirs.size(), bytes);
  }

  private void make(TreeSource source, TreeSource.Entry e) throws IOException {
    String path = e.path();
    // sorted, so that the same attributes give the same image bytes whatever the source's order
    SortedMap<String, byte[]> xattrs = new TreeMap<>(source.xattrs());
    if (path.equals("/")) {
      dirAttributes.add(new DirAttributes(path, e, xattrs));
      return;
    }
    parents(path);
    if (e.hardLink()) {
      String target = e.linkTarget();
      if (dirs.contains(target)) {
        throw new PathException(path, "hard link to a directory (" + target + ") refused", null);
      }
      checkNotUnderSymlink(target);
      replaceNonDirectory(path);
      Errors.guarded(path, () -> fs.link(target, path));
      return;
    }
    if (e.type() == FileType.DIRECTORY) {
      if (!dirs.contains(path)) {
        FileStat st = lstatOrNull(path);
        if (st == null) {
          Errors.guarded(path, () -> fs.mkdir(path, e.mode()));
        } else if (st.type() != FileType.DIRECTORY) {
          throw new PathException(path, "exists and is not a directory", null);
        }
        dirs.add(path);
      }
      dirAttributes.add(new DirAttributes(path, e, xattrs));
      return;
    }
    replaceNonDirectory(path);
    switch (e.type()) {
      case REGULAR -> writeFile(source, e);
      case SYMLINK -> {
        Errors.guarded(path, () -> fs.symlink(e.linkTarget(), path));
        symlinks.add(path);
      }
      case CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET ->
          Errors.guarded(path, () -> fs.mknod(path, e.type(), e.mode(), e.rdev()));
      default -> throw new PathException(path, "unknown file type, not stored", null);
    }
    files++;
    applyAttributes(path, e, xattrs);
  }

  /**
   * Gives {@code path} the entry's extended attributes, owners, mode and times (clamped to
   * SOURCE_DATE_EPOCH): the one place an entry's attributes reach the image.
   */
  void applyAttributes(String path, TreeSource.Entry e, SortedMap<String, byte[]> xattrs)
      throws IOException {
    long mtime = clamp(e.mtime());
    long atime = clamp(e.atime());
    Errors.guarded(
        path,
        () -> {
          // attributes first: an access ACL sets the permission bits, which the mode then confirms
          for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
            fs.setXattr(path, x.getKey(), x.getValue(), XattrMode.CREATE_OR_REPLACE);
          }
          fs.setOwner(path, e.uid(), e.gid());
          if (e.type() != FileType.SYMLINK) {
            fs.setAttributes(path, e.mode(), mtime);
          }
          fs.setTimes(path, atime, mtime);
        });
  }

  private long clamp(long t) {
    long s = Math.max(0, Math.min(t, 0xffff_ffffL));
    return clamp >= 0 ? Math.min(s, clamp) : s;
  }

  /**
   * Makes missing parent directories (mode 0755, as tar does), refusing a path below a symbolic
   * link or below a non-directory.
   */
  private void parents(String path) throws IOException {
    String parent = FileOps.parent(path);
    if (dirs.contains(parent)) {
      return;
    }
    checkNotUnderSymlink(path);
    List<String> missing = new ArrayList<>();
    for (String p = parent; !dirs.contains(p); p = FileOps.parent(p)) {
      missing.add(p);
    }
    for (int i = missing.size() - 1; i >= 0; i--) {
      String p = missing.get(i);
      FileStat st = lstatOrNull(p);
      if (st == null) {
        Errors.guarded(p, () -> fs.mkdir(p, 0755));
      } else if (st.type() != FileType.DIRECTORY) {
        throw new PathException(path, "parent " + p + " is not a directory", null);
      }
      dirs.add(p);
    }
  }

  /** A path below a symbolic link the tree made would be written through it: refused. */
  private void checkNotUnderSymlink(String path) throws PathException {
    for (String p = FileOps.parent(path); !p.equals("/"); p = FileOps.parent(p)) {
      if (symlinks.contains(p)) {
        throw new PathException(
            path, "below the symbolic link " + p + ": refused, links are not followed", null);
      }
    }
  }

  /**
   * A later entry of the same name replaces an earlier file (as tar extracts); never a directory.
   */
  private void replaceNonDirectory(String path) throws IOException {
    if (dirs.contains(path)) {
      throw new PathException(path, "exists as a directory", null);
    }
    if (lstatOrNull(path) != null) {
      Errors.guarded(path, () -> fs.unlink(path));
      symlinks.remove(path);
    }
  }

  private FileStat lstatOrNull(String path) throws PathException {
    try {
      return fs.lstat(path);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new PathException(path, Errors.reason(e), e);
    }
  }

  /** The file's bytes, blocks of zeros skipped (holes); the size set at the end. */
  private void writeFile(TreeSource source, TreeSource.Entry e) throws IOException {
    String path = e.path();
    long size = e.size();
    try (FileHandle h = Errors.guarded(path, () -> fs.openWrite(path, true, true, e.mode()));
        InputStream in = size > 0 ? source.content() : InputStream.nullInputStream()) {
      long pos = 0;
      writtenEnd = 0;
      while (pos < size) {
        int want = (int) Math.min(block.length, size - pos);
        int n = in.readNBytes(block, 0, want);
        if (n < want) {
          throw new PathException(
              path, "source ended after " + (pos + n) + " of " + size + " bytes", null);
        }
        writeNonZero(h, path, pos, n);
        pos += n;
      }
      if (writtenEnd < size) {
        Errors.guarded(path, () -> h.ftruncate(size));
      }
      bytes += size;
    }
  }

  private void writeNonZero(FileHandle h, String path, long at, int n) throws IOException {
    int bs = zeros.length;
    int start = -1;
    for (int off = 0; off < n; off += bs) {
      int len = Math.min(bs, n - off);
      boolean zero = java.util.Arrays.equals(block, off, off + len, zeros, 0, len);
      if (!zero && start < 0) {
        start = off;
      } else if (zero && start >= 0) {
        write(h, path, at, start, off);
        start = -1;
      }
    }
    if (start >= 0) {
      write(h, path, at, start, n);
    }
  }

  private void write(FileHandle h, String path, long at, int from, int to) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(block, from, to - from);
    writtenEnd = at + to;
    while (buf.hasRemaining()) {
      long w = at + buf.position();
      Errors.guarded(path, () -> h.write(w, buf));
    }
  }
}
