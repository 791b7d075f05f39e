// fs/super.c: the superblock's s_umount, as far as one mount of ext2 needs it
package org.mpage.fs.ext2;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps an unmount apart from everything else on the mount: operations and open files' calls share
 * the gate, the unmount holds it alone. A handle closed by another thread while the filesystem
 * syncs and writes its superblock for the last time would otherwise free or write an inode behind
 * that last sync's back (and the image would be left inconsistent); with the gate it either
 * finishes before the unmount begins or finds the filesystem gone.
 */
final class UmountGate {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final String device;
  private volatile boolean down;

  UmountGate(String device) {
    this.device = device;
  }

  /** Enters as one of many; fails once the filesystem is unmounted. Pair with {@link #leave}. */
  void enter() throws IOException {
    lock.readLock().lock();
    if (down) {
      lock.readLock().unlock();
      throw unmounted();
    }
  }

  /**
   * Enters as one of many if the filesystem is still mounted, and says whether it did (a close
   * after the unmount has nothing left to do).
   */
  boolean tryEnter() {
    lock.readLock().lock();
    if (down) {
      lock.readLock().unlock();
      return false;
    }
    return true;
  }

  void leave() {
    lock.readLock().unlock();
  }

  /** Waits until nothing else is inside, then holds the gate alone. Pair with {@link #unlock}. */
  void lockExclusive() {
    lock.writeLock().lock();
  }

  /** Marks the filesystem gone: whoever comes next is turned away. Call holding the gate alone. */
  void shut() {
    down = true;
  }

  void unlock() {
    lock.writeLock().unlock();
  }

  boolean isShut() {
    return down;
  }

  IOException unmounted() {
    return new IOException("filesystem on " + device + " is unmounted");
  }
}
