// the VFS's share of every call (fs/super.c's s_umount, mnt_want_write, the filesystem lock)
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.file.FileSystemException;
import org.mpage.api.fs.CorruptFilesystemException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link Ext2FileSystem} does around each call before the work: enter the unmount gate, check
 * for a writable mount, take the filesystem lock where the change needs it, and turn an unexpected
 * runtime failure (a bug or a corruption not foreseen) into an error naming the path, so that a
 * caller never sees an unchecked exception from a mounted filesystem.
 */
final class Ext2Calls {
  private static final Logger LOG = LoggerFactory.getLogger(Ext2FileSystem.class);

  private final Ext2SbInfo fs;
  private final UmountGate gate;

  Ext2Calls(Ext2SbInfo fs) {
    this.fs = fs;
    this.gate = fs.umountGate();
  }

  /** Runs an operation; a runtime failure (a bug or an unforeseen corruption) becomes an error. */
  <T> T guard(String path, IoCall<T> call) throws IOException {
    gate.enter();
    try {
      return call.call();
    } catch (RuntimeException | StackOverflowError e) {
      LOG.error("unexpected failure on {} in {}", path, fs.device().name(), e);
      CorruptFilesystemException c =
          new CorruptFilesystemException(path + ": unexpected error: " + e, -1, -1);
      c.initCause(e);
      throw c;
    } finally {
      gate.leave();
    }
  }

  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  @FunctionalInterface
  interface IoRun {
    void run() throws IOException;
  }

  /**
   * A change that takes the filesystem lock itself where it needs it: checked for a writable mount.
   */
  void change(String path, IoRun change) throws IOException {
    guard(
        path,
        () -> {
          checkWritable(path);
          change.run();
          return null;
        });
  }

  /** A change of the namespace: checked for a writable mount, run under the filesystem lock. */
  void mutate(String path, IoRun change) throws IOException {
    guard(
        path,
        () -> {
          checkWritable(path);
          fs.lock();
          try {
            change.run();
            return null;
          } finally {
            fs.unlock();
          }
        });
  }

  void checkWritable(String path) throws IOException {
    if (fs.readOnly()) {
      throw new FileSystemException(path, null, "read-only file system");
    }
  }
}
