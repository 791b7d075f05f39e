package org.mpage.fuse;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mpage.api.fs.FileSystem;
import org.mpage.fileops.Errors;

/**
 * A mounted {@link FileSystem} shown at a host directory through FUSE (libfuse 2, multithreaded,
 * through jnr-fuse), until {@code fusermount -u DIR}, {@link #close} or the end of the process.
 *
 * <p>{@link #mount} returns once the kernel has the mount; libfuse's loop runs on its own thread.
 * {@link #close} unmounts (waiting for open files to close, then lazily), waits for the loop to end
 * and closes any file left open; the caller then closes the file system, which syncs it. {@link
 * #foreground} is the command line's {@code mpage mount}: it returns when the mount ends, by {@code
 * fusermount -u} or a signal, with the image synced and closed either way.
 */
public final class FuseMount implements AutoCloseable {
  private static final long MOUNT_TIMEOUT_SECONDS = 30;

  private final MpageFuse fuse;
  private final Path dir;
  private final Thread loop;
  private volatile Throwable failure;

  private FuseMount(MpageFuse fuse, Path dir, String[] args) {
    this.fuse = fuse;
    this.dir = dir;
    this.loop =
        new Thread(
            () -> {
              try {
                fuse.mount(dir, true, false, args);
              } catch (RuntimeException | LinkageError e) {
                failure = e;
              } finally {
                fuse.ended();
              }
            },
            "mpage-fuse " + dir);
    loop.setDaemon(true);
  }

  /**
   * Mounts {@code fs} on directory {@code dir}; {@code name} is what {@code mount} and {@code df}
   * show as the source (the image's path).
   *
   * @throws IOException if {@code dir} is not a directory, libfuse 2 is missing, or the mount fails
   *     (libfuse then says why on stderr)
   */
  public static FuseMount mount(FileSystem fs, Path dir, boolean readOnly, String name)
      throws IOException {
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString());
    }
    if (!Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
    MpageFuse fuse;
    try {
      fuse = new MpageFuse(fs, readOnly);
    } catch (LinkageError | RuntimeException e) {
      throw fail(dir, "cannot load libfuse 2 (libfuse.so.2): " + e.getMessage(), e);
    }
    FuseMount m = new FuseMount(fuse, dir.toAbsolutePath(), args(readOnly, name));
    m.loop.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MOUNT_TIMEOUT_SECONDS);
      while (!fuse.initialized.await(20, TimeUnit.MILLISECONDS)) {
        if (!m.loop.isAlive()) {
          Throwable f = m.failure;
          throw fail(dir, "cannot mount" + (f == null ? "" : ": " + f.getMessage()), f);
        }
        if (System.nanoTime() > deadline) {
          m.close();
          throw fail(dir, "the kernel did not answer the mount", null);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.close();
      throw fail(dir, "interrupted while mounting", e);
    }
    return m;
  }

  /**
   * libfuse's options: the source and type for {@code mount}/{@code df}, the image's inode numbers
   * (hard links and {@code find}'s loop checks need them), 128 KiB writes, the kernel checking
   * permissions against the modes, and {@code ro} when read-only.
   */
  private static String[] args(boolean readOnly, String name) {
    String source = name.replaceAll("[,\\\\]", "_");
    List<String> o = new ArrayList<>();
    o.add("fsname=" + source);
    o.add("subtype=mpage");
    o.add("use_ino");
    o.add("big_writes");
    o.add("default_permissions");
    if (readOnly) {
      o.add("ro");
    }
    return new String[] {"-o", String.join(",", o)};
  }

  /** An error naming the directory, with the reason apart (as the command line prints it). */
  private static IOException fail(Path dir, String reason, Throwable cause) {
    IOException e = new FileSystemException(dir.toString(), null, reason);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /** The directory mounted on. */
  public Path directory() {
    return dir;
  }

  /** Waits until the mount ends ({@code fusermount -u}, or {@link #close} from another thread). */
  public void awaitUnmounted() throws InterruptedException {
    loop.join();
  }

  /**
   * Unmounts if still mounted and waits for libfuse's loop to end; closes files left open. The
   * caller closes the file system afterwards. A busy mount (a process has a file open or its
   * working directory there) is retried for a few seconds, then detached lazily.
   */
  @Override
  public void close() throws IOException {
    try {
      for (int i = 0; loop.isAlive() && i < 50; i++) {
        if (fusermount(false)) {
          break;
        }
        loop.join(100);
      }
      if (loop.isAlive()) {
        fusermount(true);
      }
      loop.join(TimeUnit.SECONDS.toMillis(MOUNT_TIMEOUT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail(dir, "interrupted while unmounting", e);
    } finally {
      fuse.closeAll();
    }
    if (loop.isAlive()) {
      throw fail(dir, "the FUSE loop did not end after the unmount", null);
    }
  }

  /** {@code fusermount -u [-z] DIR}; whether it succeeded. */
  private boolean fusermount(boolean lazy) throws InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("fusermount", "-u", "-q"));
    if (lazy) {
      cmd.add("-z");
    }
    cmd.add(dir.toString());
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * {@code mpage mount}: mounts, tells {@code err} how to end it, and returns when the mount ends
   * by {@code fusermount -u DIR} or when the process is told to stop (Ctrl-C, SIGTERM); then {@code
   * closeImage} (unmount and sync of the image) has run in both cases before the process may exit.
   */
  public static void foreground(
      FileSystem fs,
      Path dir,
      boolean readOnly,
      String name,
      Errors.IoRun closeImage,
      PrintStream err)
      throws IOException {
    FuseMount m = mount(fs, dir, readOnly, name);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                m.close();
                // The main thread syncs and closes the image; the JVM must not halt before.
                closed.await(5, TimeUnit.MINUTES);
              } catch (IOException e) {
                err.println(Errors.line(e));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "mpage-fuse unmount");
    Runtime.getRuntime().addShutdownHook(hook);
    err.println(
        "mpage: "
            + name
            + " mounted on "
            + dir
            + (readOnly ? " read-only" : "")
            + "; fusermount -u "
            + dir
            + " or Ctrl-C unmounts");
    try {
      m.awaitUnmounted();
      m.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.close();
    } finally {
      try {
        closeImage.run();
      } finally {
        closed.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running or has run: it waited for the close above
        }
      }
    }
  }
}
