package org.mpage.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import jnr.ffi.Pointer;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.fileops.Errno;
import org.mpage.fileops.Errors;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE operations of libfuse's high-level (path) interface, each one call on the api's mounted
 * {@link FileSystem} or an open {@link FileHandle}: no cache of file data or names of its own (the
 * kernel caches attributes and entries for a second, libfuse's defaults). Errors become negated
 * errnos through {@link Errors#errno}, the classification the command line's error lines use.
 *
 * <p>Threads: libfuse's multithreaded loop calls these from several threads at once. The file
 * system takes concurrent calls; the open files and the calls on them are {@link FuseFiles}'.
 */
final class MpageFuse extends FuseStubFS {
  // Linux open(2) flags and utimensat(2) markers (the same on x86-64 and arm64).
  private static final int O_ACCMODE = 3;
  private static final int O_RDONLY = 0;
  private static final int O_TRUNC = 01000;
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;
  private static final int S_IFMT = 0170000;

  private final FileSystem fs;
  private final boolean readOnly;

  /** Open files by the number FUSE keeps in {@code fi->fh}. */
  private final FuseFiles files = new FuseFiles();

  /** Counted down when the kernel has the mount (FUSE_INIT answered). */
  final CountDownLatch initialized = new CountDownLatch(1);

  MpageFuse(FileSystem fs, boolean readOnly) {
    this.fs = fs;
    this.readOnly = readOnly;
  }

  /** One operation on the file system; its result is the FUSE reply (0 or a count). */
  @FunctionalInterface
  private interface Op {
    int run() throws IOException;
  }

  /** Runs an operation; an exception becomes its negated errno, an EIO also a line on stderr. */
  private static int call(String op, String path, Op body) {
    try {
      return body.run();
    } catch (IOException | RuntimeException | StackOverflowError e) {
      int errno = Errors.errno(e);
      if (errno == Errno.EIO.number()) {
        // Corruption or an I/O error: the caller sees EIO only, so say what it was.
        String reason = e instanceof IOException io ? Errors.reason(io) : Errors.internalError(e);
        System.err.println(Errors.line(path, op + ": " + reason));
      }
      return -errno;
    }
  }

  @Override
  public Pointer init(Pointer conn) {
    initialized.countDown();
    return null;
  }

  // ---- attributes ----

  @Override
  public int getattr(String path, ru.serce.jnrfuse.struct.FileStat stat) {
    return call(
        "getattr", path, () -> FuseAttributes.fill(stat, fs.lstat(path), fs.info().blockSize()));
  }

  @Override
  public int fgetattr(String path, ru.serce.jnrfuse.struct.FileStat stat, FuseFileInfo fi) {
    return call(
        "getattr", path, () -> FuseAttributes.fill(stat, fs.lstat(path), fs.info().blockSize()));
  }

  @Override
  public int chmod(String path, long mode) {
    return call(
        "chmod",
        path,
        () -> {
          fs.setAttributes(path, (int) mode & 07777, fs.lstat(path).mtime());
          return 0;
        });
  }

  @Override
  public int chown(String path, long uid, long gid) {
    return call(
        "chown",
        path,
        () -> {
          fs.setOwner(path, id(uid), id(gid));
          return 0;
        });
  }

  /**
   * An owner id as FUSE passes it (a 32-bit unsigned; all ones leaves it unchanged) as the api's.
   */
  private static long id(long fuseId) {
    long id = fuseId & 0xffff_ffffL;
    return id == 0xffff_ffffL ? -1 : id;
  }

  @Override
  public int utimens(String path, Timespec[] times) {
    return call(
        "utimens",
        path,
        () -> {
          fs.setTimes(path, seconds(times[0]), seconds(times[1]));
          return 0;
        });
  }

  private static long seconds(Timespec t) {
    long nsec = t.tv_nsec.longValue();
    if (nsec == UTIME_OMIT) {
      return -1;
    }
    return nsec == UTIME_NOW ? Instant.now().getEpochSecond() : t.tv_sec.get();
  }

  @Override
  public int truncate(String path, long size) {
    return call(
        "truncate",
        path,
        () -> {
          fs.truncate(path, size);
          return 0;
        });
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return call("statfs", path, () -> FuseAttributes.fill(st, fs.info(), readOnly));
  }

  // ---- names ----

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
    return call(
        "readdir",
        path,
        () -> {
          filler.apply(buf, ".", null, 0);
          filler.apply(buf, "..", null, 0);
          for (DirEntry e : fs.list(path)) {
            filler.apply(buf, e.name(), null, 0);
          }
          return 0;
        });
  }

  @Override
  public int readlink(String path, Pointer buf, long size) {
    return call(
        "readlink",
        path,
        () -> {
          byte[] target = fs.readLink(path).getBytes(StandardCharsets.UTF_8);
          int n = (int) Math.min(target.length, size - 1);
          buf.put(0, target, 0, n);
          buf.putByte(n, (byte) 0);
          return 0;
        });
  }

  @Override
  public int mkdir(String path, long mode) {
    return call(
        "mkdir",
        path,
        () -> {
          fs.mkdir(path, (int) mode & 07777);
          ownByCaller(path);
          return 0;
        });
  }

  @Override
  public int unlink(String path) {
    return call(
        "unlink",
        path,
        () -> {
          fs.unlink(path);
          return 0;
        });
  }

  @Override
  public int rmdir(String path) {
    return call(
        "rmdir",
        path,
        () -> {
          fs.rmdir(path);
          return 0;
        });
  }

  // mknod(2) of a device, FIFO or socket (libfuse sends regular files to create)
  @Override
  public int mknod(String path, long mode, long rdev) {
    return call(
        "mknod",
        path,
        () -> {
          org.mpage.api.fs.FileType type =
              switch ((int) (mode & S_IFMT)) {
                case 0020000 -> org.mpage.api.fs.FileType.CHAR_DEVICE;
                case 0060000 -> org.mpage.api.fs.FileType.BLOCK_DEVICE;
                case 0010000 -> org.mpage.api.fs.FileType.FIFO;
                case 0140000 -> org.mpage.api.fs.FileType.SOCKET;
                default -> throw new UnsupportedOperationException("mknod of this file type");
              };
          fs.mknod(path, type, (int) mode & 07777, rdev);
          ownByCaller(path);
          return 0;
        });
  }

  @Override
  public int symlink(String target, String path) {
    return call(
        "symlink",
        path,
        () -> {
          fs.symlink(target, path);
          ownByCaller(path);
          return 0;
        });
  }

  @Override
  public int rename(String from, String to) {
    return call(
        "rename",
        from,
        () -> {
          fs.rename(from, to);
          return 0;
        });
  }

  @Override
  public int link(String target, String path) {
    return call(
        "link",
        path,
        () -> {
          fs.link(target, path);
          return 0;
        });
  }

  /** A new name belongs to the process that made it, as in the kernel, when it differs. */
  private void ownByCaller(String path) throws IOException {
    FuseContext ctx = getContext();
    long uid = ctx.uid.get();
    long gid = ctx.gid.get();
    FileStat s = fs.lstat(path);
    if (s.uid() != uid || s.gid() != gid) {
      fs.setOwner(path, uid, gid);
    }
  }

  // ---- open files ----

  @Override
  public int open(String path, FuseFileInfo fi) {
    return call(
        "open",
        path,
        () -> {
          int flags = fi.flags.get();
          FileHandle h =
              (flags & O_ACCMODE) == O_RDONLY
                  ? fs.open(path)
                  : fs.openWrite(path, false, (flags & O_TRUNC) != 0, 0);
          fi.fh.set(files.register(h));
          return 0;
        });
  }

  @Override
  public int create(String path, long mode, FuseFileInfo fi) {
    return call(
        "create",
        path,
        () -> {
          FileHandle h =
              fs.openWrite(path, true, (fi.flags.get() & O_TRUNC) != 0, (int) mode & 07777);
          try {
            if ((mode & S_IFMT) != 0 && (mode & S_IFMT) != 0100000) {
              throw new UnsupportedOperationException("create of a special file");
            }
            ownByCaller(path);
          } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
          }
          fi.fh.set(files.register(h));
          return 0;
        });
  }

  @Override
  public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return call("read", path, () -> files.read(path, fi.fh.get(), buf, size, offset));
  }

  @Override
  public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return call("write", path, () -> files.write(path, fi.fh.get(), buf, size, offset));
  }

  @Override
  public int ftruncate(String path, long size, FuseFileInfo fi) {
    return call(
        "ftruncate",
        path,
        () -> {
          files.ftruncate(path, fi.fh.get(), size);
          return 0;
        });
  }

  @Override
  public int fsync(String path, int datasync, FuseFileInfo fi) {
    return call(
        "fsync",
        path,
        () -> {
          files.fsync(path, fi.fh.get());
          return 0;
        });
  }

  // ---- extended attributes (FuseXattrs; a path's own attributes, links not followed) ----

  @Override
  public int getxattr(String path, String name, Pointer value, long size) {
    return call("getxattr", path, () -> FuseXattrs.get(fs, path, name, value, size));
  }

  @Override
  public int listxattr(String path, Pointer list, long size) {
    return call("listxattr", path, () -> FuseXattrs.list(fs, path, list, size));
  }

  @Override
  public int setxattr(String path, String name, Pointer value, long size, int flags) {
    return call("setxattr", path, () -> FuseXattrs.set(fs, path, name, value, size, flags));
  }

  @Override
  public int removexattr(String path, String name) {
    return call("removexattr", path, () -> FuseXattrs.remove(fs, path, name));
  }

  /** Each close(2) of a descriptor: nothing to do, as close does not make data durable. */
  @Override
  public int flush(String path, FuseFileInfo fi) {
    return 0;
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return call(
        "release",
        path,
        () -> {
          files.release(fi.fh.get());
          return 0;
        });
  }

  /**
   * The mount has ended (the loop returned): jnr-fuse's shutdown hook then has nothing to unmount,
   * where it would otherwise run a lazy {@code fusermount -u -z} on the directory at exit.
   */
  void ended() {
    mounted.set(false);
  }

  /** Closes every file still open (the mount ended with descriptors open, e.g. lazily). */
  void closeAll() {
    for (long id : files.open()) {
      call(
          "release",
          "(open file " + id + ")",
          () -> {
            files.release(id);
            return 0;
          });
    }
  }
}
