// fs/ext2/namei.c
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.mpage.fs.ext2.PathWalk.Place;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * The namespace operations: create, mkdir, unlink, rmdir, rename, link and symlink, with their link
 * counts and "..". Each either runs with the filesystem lock already held (the facade's {@code
 * mutate}) or, where a file's last link goes, takes it itself: a deleted file's pages are dropped
 * between two lock holds, because dropping pages waits for writeback, and writeback takes the lock
 * in get_block.
 */
final class Ext2Namei {
  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final Ext2Inodes inodes;
  private final Ext2Dir dir;
  private final Ext2Symlink symlinks;
  private final PathWalk walk;

  Ext2Namei(Ext2SbInfo fs, Ext2Inodes inodes, Ext2Dir dir, Ext2Symlink symlinks, PathWalk walk) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.inodes = inodes;
    this.dir = dir;
    this.symlinks = symlinks;
    this.walk = walk;
  }

  // ext2_create and ext2_add_nondir
  /** A new inode of {@code mode} linked at {@code at}. Holds the lock. */
  private Ext2Inode create(Place at, int mode) throws IOException {
    if (dir.lookup(at.dir(), at.name()) >= 0) {
      throw new FileAlreadyExistsException(at.name());
    }
    Ext2Inode ei = inodes.newInode(at.dir(), mode);
    try {
      dir.addEntry(at.dir(), at.bytes(), ei);
    } catch (IOException e) {
      ei.links = 0;
      inodes.deleteInode(ei);
      throw e;
    }
    return ei;
  }

  /**
   * The file an open for writing reaches: created if missing and asked for (the kernel's open with
   * O_CREAT), else resolved following symlinks. Takes the lock.
   */
  Ext2Inode openForWrite(String path, boolean create, int permissions) throws IOException {
    fs.lock();
    try {
      String p = path;
      for (int links = 0; ; links++) {
        Place at = walk.place(p);
        long ino = dir.lookup(at.dir(), at.name());
        if (ino < 0) {
          if (!create) {
            throw new NoSuchFileException(path);
          }
          return create(at, Ext2Inode.S_IFREG | (permissions & 07777));
        }
        Ext2Inode found = inodes.iget(ino);
        if (!found.isSymlink() || !create) {
          return walk.resolve(p, true);
        }
        // O_CREAT follows a final symbolic link and creates its target when that is missing, as
        // the kernel's open_last_lookups does: so a dangling link is filled, not refused.
        if (links >= PathWalk.MAX_SYMLINKS) {
          throw new java.nio.file.FileSystemLoopException(path);
        }
        String target = symlinks.readLink(found);
        p = target.startsWith("/") ? target : PathWalk.parentOf(p) + "/" + target;
      }
    } finally {
      fs.unlock();
    }
  }

  // ext2_mkdir
  /** Holds the lock. */
  void mkdir(String path, int permissions) throws IOException {
    Place at = walk.place(path);
    if (dir.lookup(at.dir(), at.name()) >= 0) {
      throw new FileAlreadyExistsException(path);
    }
    Ext2Inode d = inodes.newInode(at.dir(), Ext2Inode.S_IFDIR | (permissions & 07777));
    try {
      dir.makeEmpty(d, at.dir().ino);
      d.links = 2;
      dir.addEntry(at.dir(), at.bytes(), d);
    } catch (IOException e) {
      d.links = 0;
      inodes.deleteInode(d);
      throw e;
    }
    at.dir().links++;
    fs.inodeChanged(at.dir());
  }

  // ext2_unlink
  /** Takes the lock. */
  void unlink(String path) throws IOException {
    Ext2Inode victim;
    fs.lock();
    try {
      Place at = walk.place(path);
      long ino = dir.lookup(at.dir(), at.name());
      if (ino < 0) {
        throw new NoSuchFileException(path);
      }
      victim = inodes.iget(ino);
      if (victim.isDir()) {
        throw new FileSystemException(path, null, "is a directory");
      }
      dir.orderRemovedEntry(dir.removeEntry(at.dir(), at.bytes()), victim);
      victim.links--;
      victim.ctime = fs.now();
      fs.inodeChanged(victim);
    } finally {
      fs.unlock();
    }
    if (victim.links == 0) {
      evict(victim);
    }
  }

  /** A file's last link is gone: its pages go (without the lock), then the inode (with it). */
  private void evict(Ext2Inode victim) throws IOException {
    inodes.iput(victim); // not while a handle has it open: its close frees it
  }

  // ext2_rmdir
  /** Holds the lock. */
  void rmdir(String path) throws IOException {
    Place at = walk.place(path);
    long ino = dir.lookup(at.dir(), at.name());
    if (ino < 0) {
      throw new NoSuchFileException(path);
    }
    Ext2Inode d = inodes.iget(ino);
    if (!d.isDir()) {
      throw new NotDirectoryException(path);
    }
    removeDirectory(at, d, path);
  }

  private void removeDirectory(Place at, Ext2Inode d, String path) throws IOException {
    if (!dir.isEmpty(d)) {
      throw new DirectoryNotEmptyException(path);
    }
    dir.orderRemovedEntry(dir.removeEntry(at.dir(), at.bytes()), d);
    at.dir().links--;
    fs.inodeChanged(at.dir());
    d.links = 0;
    inodes.deleteInode(d);
  }

  // ext2_rename
  /** Takes the lock. */
  void rename(String from, String to) throws IOException {
    Ext2Inode replaced = null;
    fs.lock();
    try {
      Place src = walk.place(from);
      long ino = dir.lookup(src.dir(), src.name());
      if (ino < 0) {
        throw new NoSuchFileException(from);
      }
      Ext2Inode moving = inodes.iget(ino);
      Place dst = walk.place(to);
      if (moving.isDir()) {
        refuseMoveBelowItself(moving, dst, from, to);
      }
      long existing = dir.lookup(dst.dir(), dst.name());
      if (existing == moving.ino) {
        return; // the same file: nothing to do
      }
      if (existing >= 0) {
        Ext2Inode target = inodes.iget(existing);
        if (moving.isDir()) {
          if (!target.isDir()) {
            throw new NotDirectoryException(to);
          }
          removeDirectory(dst, target, to);
        } else {
          if (target.isDir()) {
            throw new FileSystemException(to, null, "is a directory");
          }
          dir.orderRemovedEntry(dir.removeEntry(dst.dir(), dst.bytes()), target);
          target.links--;
          target.ctime = fs.now();
          fs.inodeChanged(target);
          if (target.links == 0) {
            replaced = target;
          }
        }
      }
      long added = dir.addEntry(dst.dir(), dst.bytes(), moving);
      // The old name goes only after the new one is on the disk: a crash between leaves two
      // names (e2fsck fixes the link count), never none.
      dir.removeEntry(
          src.dir(), src.bytes(), removed -> fs.bufferCache().orderBefore(added, removed));
      moving.ctime = fs.now();
      fs.inodeChanged(moving);
      if (moving.isDir() && src.dir().ino != dst.dir().ino) {
        dir.setDotDot(moving, dst.dir().ino);
        src.dir().links--;
        dst.dir().links++;
        fs.inodeChanged(src.dir());
        fs.inodeChanged(dst.dir());
      }
    } finally {
      fs.unlock();
    }
    if (replaced != null) {
      evict(replaced);
    }
  }

  /** Refuses to move a directory into itself or below it: walks up from the target's parent. */
  private void refuseMoveBelowItself(Ext2Inode moving, Place dst, String from, String to)
      throws IOException {
    for (Ext2Inode d = dst.dir(); ; ) {
      if (d.ino == moving.ino) {
        throw new FileSystemException(from, to, "cannot move a directory into itself");
      }
      if (d.ino == Ext2Inodes.ROOT_INO) {
        break;
      }
      long up = dir.lookup(d, "..");
      if (up < 0 || up == d.ino) {
        break;
      }
      d = inodes.iget(up);
    }
  }

  // ext2_link
  /** Holds the lock. */
  void link(String target, String path) throws IOException {
    // In the kernel's order (do_linkat): the old name must exist, then the new one must not, and
    // only then is the kind of file judged.
    Ext2Inode t = walk.resolve(target, false);
    Place at = walk.place(path);
    if (dir.lookup(at.dir(), at.name()) >= 0) {
      throw new FileAlreadyExistsException(path);
    }
    if (t.isDir()) {
      throw new FileSystemException(target, null, "hard links to directories are not allowed");
    }
    if (t.links >= 32000) {
      throw new FileSystemException(target, null, "too many links");
    }
    t.links++; // before the entry, which waits for the inode to reach the disk
    try {
      dir.addEntry(at.dir(), at.bytes(), t);
    } catch (IOException e) {
      t.links--;
      throw e;
    }
    t.ctime = fs.now();
    fs.inodeChanged(t);
  }

  // ext2_mknod
  /**
   * A device, FIFO or socket of {@code mode} (type and permission bits) at {@code path}; a device
   * gets {@code rdev} in its block map as ext2_write_inode stores it. Holds the lock.
   */
  void mknod(String path, int mode, long rdev) throws IOException {
    Place at = walk.place(path);
    if (dir.lookup(at.dir(), at.name()) >= 0) {
      throw new FileAlreadyExistsException(path);
    }
    Ext2Inode ei = inodes.newInode(at.dir(), mode);
    int fmt = mode & Ext2Inode.S_IFMT;
    if (fmt == Ext2Inode.S_IFCHR || fmt == Ext2Inode.S_IFBLK) {
      ei.setRdev(rdev);
    }
    try {
      dir.addEntry(at.dir(), at.bytes(), ei);
    } catch (IOException e) {
      ei.links = 0;
      inodes.deleteInode(ei);
      throw e;
    }
  }

  // ext2_symlink
  /** Takes the lock. */
  void symlink(String target, String path) throws IOException {
    byte[] bytes = PathWalk.nameBytes(path, target);
    if (bytes.length == 0 || bytes.length >= sb.blockSize) {
      throw new FileSystemException(path, null, "symlink target of " + bytes.length + " bytes");
    }
    fs.lock();
    try {
      Place at = walk.place(path);
      if (dir.lookup(at.dir(), at.name()) >= 0) {
        throw new FileAlreadyExistsException(path);
      }
      Ext2Inode link = inodes.newInode(at.dir(), Ext2Inode.S_IFLNK | 0777);
      try {
        symlinks.writeTarget(dir, link, bytes);
        dir.addEntry(at.dir(), at.bytes(), link);
      } catch (IOException e) {
        link.links = 0;
        inodes.deleteInode(link);
        throw e;
      }
    } finally {
      fs.unlock();
    }
  }
}
