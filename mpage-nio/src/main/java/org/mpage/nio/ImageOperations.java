package org.mpage.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;

/**
 * What {@code Files} asks of the provider, on the api's {@code FileSystem}: the open flags, the
 * copy and move options and their exceptions as the JDK's default provider on Linux has them.
 * Check-then-act sequences (create-new, move without replace, copy) hold the filesystem's namespace
 * lock, so they are atomic against the other calls of this provider.
 */
final class ImageOperations {
  private static final int DEFAULT_FILE_MODE = 0644; // 0666 under the usual umask 022
  private static final int DEFAULT_DIR_MODE = 0755;

  private ImageOperations() {}

  static FileChannel open(ImagePath p, Set<? extends OpenOption> options, FileAttribute<?>[] attrs)
      throws IOException {
    for (OpenOption o : options) {
      if (!(o instanceof StandardOpenOption) && o != LinkOption.NOFOLLOW_LINKS) {
        throw new UnsupportedOperationException("open option " + o + " is not supported");
      }
    }
    boolean append = options.contains(StandardOpenOption.APPEND);
    boolean write = options.contains(StandardOpenOption.WRITE) || append;
    boolean read = options.contains(StandardOpenOption.READ) || !write;
    if (append && options.contains(StandardOpenOption.READ)) {
      throw new IllegalArgumentException("READ and APPEND together are not allowed");
    }
    if (append && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
      throw new IllegalArgumentException("APPEND and TRUNCATE_EXISTING together are not allowed");
    }
    boolean createNew = write && options.contains(StandardOpenOption.CREATE_NEW);
    boolean create = write && (createNew || options.contains(StandardOpenOption.CREATE));
    boolean truncate = write && options.contains(StandardOpenOption.TRUNCATE_EXISTING);
    boolean sync =
        options.contains(StandardOpenOption.SYNC) || options.contains(StandardOpenOption.DSYNC);
    boolean follow = !options.contains(LinkOption.NOFOLLOW_LINKS);
    int mode = mode(attrs, DEFAULT_FILE_MODE);
    ImageFileSystem fs = p.getFileSystem();
    if (write && fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    String path = p.apiPath();
    FileHandle handle =
        fs.exclusive(
            api -> {
              FileStat st = fs.statIfExists(p, false);
              if (createNew && st != null) {
                throw new FileAlreadyExistsException(p.toString());
              }
              if (!follow && st != null && st.type() == FileType.SYMLINK) {
                throw ImageFileSystem.error(p, "too many levels of symbolic links");
              }
              return write ? api.openWrite(path, create, truncate, mode) : api.open(path);
            });
    Runnable onClose = () -> {};
    if (options.contains(StandardOpenOption.DELETE_ON_CLOSE)) {
      onClose =
          () -> {
            try {
              delete(p);
            } catch (IOException | RuntimeException e) {
              // best effort, as the JDK's: the file may be gone already
            }
          };
    }
    return fs.track(new ImageFileChannel(fs, handle, read, write, append, sync, onClose));
  }

  /** The mode the {@code posix:permissions} attribute asks for, or the default. */
  private static int mode(FileAttribute<?>[] attrs, int dflt) {
    int mode = dflt;
    for (FileAttribute<?> a : attrs) {
      if (!a.name().equals("posix:permissions")) {
        throw new UnsupportedOperationException("attribute " + a.name() + " cannot be set here");
      }
      @SuppressWarnings("unchecked")
      Set<PosixFilePermission> perms = (Set<PosixFilePermission>) a.value();
      mode = ImageAttributes.mode(perms);
    }
    return mode;
  }

  static DirectoryStream<Path> list(ImagePath dir, DirectoryStream.Filter<? super Path> filter)
      throws IOException {
    List<DirEntry> entries =
        dir.getFileSystem()
            .callRaw(
                api -> {
                  FileStat st;
                  try {
                    st = api.stat(dir.apiPath());
                  } catch (java.nio.file.FileSystemLoopException e) {
                    throw ImageFileSystem.error(dir, "too many levels of symbolic links");
                  }
                  if (st.type() != FileType.DIRECTORY) {
                    throw new java.nio.file.NotDirectoryException(dir.toString());
                  }
                  return api.list(dir.apiPath());
                });
    return new ImageDirectoryStream(dir, entries, filter);
  }

  static void mkdir(ImagePath dir, FileAttribute<?>[] attrs) throws IOException {
    int mode = mode(attrs, DEFAULT_DIR_MODE);
    dir.getFileSystem()
        .change(
            api -> {
              api.mkdir(dir.apiPath(), mode);
              return null;
            });
  }

  static void symlink(ImagePath link, ImagePath target) throws IOException {
    link.getFileSystem()
        .change(
            api -> {
              api.symlink(target.toString(), link.apiPath());
              return null;
            });
  }

  static void link(ImagePath link, ImagePath existing) throws IOException {
    if (link.getFileSystem() != existing.getFileSystem()) {
      throw ImageFileSystem.error(link, "invalid cross-device link");
    }
    link.getFileSystem()
        .change(
            api -> {
              api.link(existing.apiPath(), link.apiPath());
              return null;
            });
  }

  static Path readLink(ImagePath link) throws IOException {
    ImageFileSystem fs = link.getFileSystem();
    return fs.call(
        api -> {
          if (api.lstat(link.apiPath()).type() != FileType.SYMLINK) {
            throw new NotLinkException(link.toString());
          }
          return new ImagePath(fs, api.readLink(link.apiPath()));
        });
  }

  static void delete(ImagePath p) throws IOException {
    p.getFileSystem()
        .change(
            api -> {
              if (api.lstat(p.apiPath()).type() == FileType.DIRECTORY) {
                api.rmdir(p.apiPath());
              } else {
                api.unlink(p.apiPath());
              }
              return null;
            });
  }

  static void checkAccess(ImagePath p, AccessMode... modes) throws IOException {
    FileStat st = p.getFileSystem().stat(p, true);
    for (AccessMode m : modes) {
      if (m == AccessMode.WRITE && p.getFileSystem().isReadOnly()) {
        throw new AccessDeniedException(p.toString(), null, "read-only file system");
      }
      if (m == AccessMode.EXECUTE && (st.permissions() & 0111) == 0) {
        throw new AccessDeniedException(p.toString(), null, "no execute permission");
      }
    }
  }

  private record CopyOptions(boolean replace, boolean attributes, boolean follow, boolean atomic) {
    static CopyOptions of(CopyOption... options) {
      boolean replace = false;
      boolean attributes = false;
      boolean follow = true;
      boolean atomic = false;
      for (CopyOption o : options) {
        if (o == StandardCopyOption.REPLACE_EXISTING) {
          replace = true;
        } else if (o == StandardCopyOption.COPY_ATTRIBUTES) {
          attributes = true;
        } else if (o == LinkOption.NOFOLLOW_LINKS) {
          follow = false;
        } else if (o == StandardCopyOption.ATOMIC_MOVE) {
          atomic = true;
        } else if (o == null) {
          throw new NullPointerException("null copy option");
        } else {
          throw new UnsupportedOperationException("copy option " + o + " is not supported");
        }
      }
      return new CopyOptions(replace, attributes, follow, atomic);
    }
  }

  static void copy(ImagePath src, ImagePath dst, CopyOption... options) throws IOException {
    CopyOptions o = CopyOptions.of(options);
    if (o.atomic()) {
      throw new UnsupportedOperationException("ATOMIC_MOVE is for moves, not copies");
    }
    ImageFileSystem to = dst.getFileSystem();
    if (to.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    to.exclusive(
        api -> {
          copyLocked(src, dst, o);
          return null;
        });
  }

  private static void copyLocked(ImagePath src, ImagePath dst, CopyOptions o) throws IOException {
    ImageFileSystem from = src.getFileSystem();
    ImageFileSystem to = dst.getFileSystem();
    FileStat s = from.stat(src, o.follow());
    FileStat t = to.statIfExists(dst, false);
    if (t != null) {
      if (from == to && t.ino() == s.ino()) {
        return; // the same file: nothing to do, as Files.copy says
      }
      if (!o.replace()) {
        throw new FileAlreadyExistsException(dst.toString());
      }
      delete(dst);
    }
    String target = dst.apiPath();
    switch (s.type()) {
      case DIRECTORY ->
          to.change(
              api -> {
                api.mkdir(target, s.permissions());
                return null;
              });
      case SYMLINK -> {
        String link = from.call(api -> api.readLink(src.apiPath()));
        to.change(
            api -> {
              api.symlink(link, target);
              return null;
            });
      }
      case REGULAR -> copyData(src, dst, s);
      default -> throw ImageFileSystem.error(src, "cannot copy a special file");
    }
    if (o.attributes()) {
      to.change(
          api -> {
            if (s.type() != FileType.SYMLINK) {
              api.setAttributes(target, s.permissions(), s.mtime());
            }
            api.setTimes(target, s.atime(), s.mtime());
            return null;
          });
    }
  }

  private static void copyData(ImagePath src, ImagePath dst, FileStat s) throws IOException {
    String target = dst.apiPath();
    try (FileHandle in = src.getFileSystem().call(api -> api.open(src.apiPath()));
        FileHandle out =
            dst.getFileSystem().change(api -> api.openWrite(target, true, true, s.permissions()))) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      long pos = 0;
      while (true) {
        buf.clear();
        long at = pos;
        int n = src.getFileSystem().call(api -> in.read(at, buf));
        if (n < 0) {
          break;
        }
        buf.flip();
        while (buf.hasRemaining()) {
          long wat = pos + buf.position();
          dst.getFileSystem().change(api -> out.write(wat, buf));
        }
        pos += n;
      }
    }
  }

  static void move(ImagePath src, ImagePath dst, CopyOption... options) throws IOException {
    CopyOptions o = CopyOptions.of(options);
    ImageFileSystem fs = src.getFileSystem();
    if (dst.getFileSystem() != fs) {
      if (o.atomic()) {
        throw new AtomicMoveNotSupportedException(
            src.toString(), dst.toString(), "source and target are different images");
      }
      copy(
          src,
          dst,
          o.replace()
              ? new CopyOption[] {
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES,
                LinkOption.NOFOLLOW_LINKS
              }
              : new CopyOption[] {StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS});
      delete(src);
      return;
    }
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    fs.exclusive(
        api -> {
          FileStat s = api.lstat(src.apiPath());
          FileStat t = fs.statIfExists(dst, false);
          if (!o.atomic() && t != null) {
            if (t.ino() == s.ino()) {
              return null; // the same file: nothing to do
            }
            if (!o.replace()) {
              throw new FileAlreadyExistsException(dst.toString());
            }
            delete(dst);
          }
          api.rename(src.apiPath(), dst.apiPath());
          return null;
        });
  }
}
