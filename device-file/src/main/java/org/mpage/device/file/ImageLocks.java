package org.mpage.device.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Who has which image open in this JVM. File locks are held by the whole process, and Java refuses
 * a second lock on a file the process already locked, even a shared one; so readers in this JVM
 * share one OS lock through this table, and a writer is refused while anyone has the image.
 *
 * <p>This is process-wide state on purpose: it mirrors the JVM's own table of file locks, which is
 * process-wide too.
 */
final class ImageLocks {
  /** One image's lock and how many devices share it (readers), or -1 for a writer. */
  private static final class Entry {
    FileLock lock;
    int users;
  }

  private static final Map<Path, Entry> OPEN = new HashMap<>();

  private ImageLocks() {}

  /** A handle on an image's lock; release it once. */
  static final class Hold {
    private final Path key;
    private boolean released;

    private Hold(Path key) {
      this.key = key;
    }

    void release() throws IOException {
      synchronized (OPEN) {
        if (released) {
          return;
        }
        released = true;
        Entry e = OPEN.get(key);
        if (e == null) {
          return;
        }
        if (e.users > 0 && --e.users > 0) {
          return;
        }
        OPEN.remove(key);
        if (e.lock.isValid()) {
          e.lock.release();
        }
      }
    }
  }

  /**
   * Locks {@code path} (shared when {@code readOnly}) through {@code channel}.
   *
   * @throws ImageInUseException if a writer has it, or anyone has it and we want to write, in this
   *     or another process
   */
  static Hold acquire(Path path, FileChannel channel, boolean readOnly) throws IOException {
    Path key = path.toRealPath();
    synchronized (OPEN) {
      Entry e = OPEN.get(key);
      if (e != null) {
        if (!readOnly || e.users < 0) {
          throw new ImageInUseException(path, readOnly);
        }
        e.users++;
        return new Hold(key);
      }
      FileLock lock;
      try {
        lock = channel.tryLock(0, Long.MAX_VALUE, readOnly);
      } catch (OverlappingFileLockException ex) {
        lock = null; // locked in this JVM by someone outside this table
      }
      if (lock == null) {
        throw new ImageInUseException(path, readOnly);
      }
      Entry created = new Entry();
      created.lock = lock;
      created.users = readOnly ? 1 : -1;
      OPEN.put(key, created);
      return new Hold(key);
    }
  }
}
