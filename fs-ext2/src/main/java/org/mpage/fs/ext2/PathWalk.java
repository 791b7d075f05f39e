// fs/namei.c (the VFS): link_path_walk, walk_component, filename_parentat
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.mpage.api.fs.Names;
import org.mpage.fs.ext2.disk.Ext2Inode;

/**
 * Path resolution from the root: what the kernel's VFS does before it calls ext2. Components are
 * looked up one by one through the dentry cache; "." stays, ".." is the directory's own entry;
 * symbolic links are followed (the last component only if asked) up to 40 in one walk, as
 * MAXSYMLINKS.
 */
final class PathWalk {
  static final int MAX_SYMLINKS = 40;

  private final Ext2SbInfo fs;
  private final Ext2Inodes inodes;
  private final Ext2Dir dir;
  private final Ext2Symlink symlinks;

  PathWalk(Ext2SbInfo fs, Ext2Inodes inodes, Ext2Dir dir, Ext2Symlink symlinks) {
    this.fs = fs;
    this.inodes = inodes;
    this.dir = dir;
    this.symlinks = symlinks;
  }

  /**
   * A parent directory and a name in it (the name also as its on-disk bytes). A class rather than a
   * record: it holds an array, which a record's equality would compare by identity.
   */
  static final class Place {
    private final Ext2Inode dir;
    private final String name;
    private final byte[] bytes;

    Place(Ext2Inode dir, String name, byte[] bytes) {
      this.dir = dir;
      this.name = name;
      this.bytes = bytes;
    }

    Ext2Inode dir() {
      return dir;
    }

    String name() {
      return name;
    }

    byte[] bytes() {
      return bytes;
    }
  }

  // link_path_walk
  /** Resolves {@code path} from the root, following symbolic links (the last one if asked). */
  Ext2Inode resolve(String path, boolean followFinal) throws IOException {
    // Under the filesystem lock: a name found here and the inode it names are then one moment's
    // view. Without it, an unlink between the lookup and iget left a freed inode to be read, which
    // looked like corruption ("deleted inode referenced"); the kernel has the dcache and i_count.
    fs.lock();
    try {
      return resolveLocked(path, followFinal);
    } finally {
      fs.unlock();
    }
  }

  private Ext2Inode resolveLocked(String path, boolean followFinal) throws IOException {
    Deque<String> parts = split(path);
    Ext2Inode cur = inodes.iget(Ext2Inodes.ROOT_INO);
    int links = 0;
    while (!parts.isEmpty()) {
      String name = parts.pollFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (!cur.isDir()) {
        throw new NotDirectoryException(path);
      }
      long ino = dir.lookup(cur, name);
      if (ino < 0) {
        if (nameTooLong(name)) {
          // ENAMETOOLONG, as the kernel's lookup says before it looks: no entry can have it
          throw new FileSystemException(path, null, "file name too long");
        }
        throw new NoSuchFileException(path);
      }
      Ext2Inode next = inodes.iget(ino);
      if (next.isSymlink() && (!parts.isEmpty() || followFinal)) {
        if (++links > MAX_SYMLINKS) {
          throw new FileSystemLoopException(path);
        }
        String target = symlinks.readLink(next);
        Deque<String> t = split(target);
        while (!t.isEmpty()) {
          parts.addFirst(t.pollLast());
        }
        if (target.startsWith("/")) {
          cur = inodes.iget(Ext2Inodes.ROOT_INO);
        }
        continue;
      }
      cur = next;
    }
    return cur;
  }

  private static Deque<String> split(String path) {
    Deque<String> parts = new ArrayDeque<>();
    for (String p : path.split("/", -1)) {
      if (!p.isEmpty()) {
        parts.addLast(p);
      }
    }
    return parts;
  }

  private static boolean nameTooLong(String name) {
    try {
      return Names.toBytes(name).length > 255;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The path of the directory holding the last component of {@code path}. */
  static String parentOf(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    return slash <= 0 ? "/" : p.substring(0, slash);
  }

  // filename_parentat
  /** The directory that holds (or is to hold) the last component of {@code path}, and its name. */
  Place place(String path) throws IOException {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    String parent = parentOf(p);
    String name = p.substring(p.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
      throw new FileSystemException(path, null, "invalid name");
    }
    byte[] bytes = nameBytes(path, name);
    if (bytes.length > 255) {
      throw new FileSystemException(path, null, "file name too long");
    }
    Ext2Inode d = resolve(parent, true);
    if (!d.isDir()) {
      throw new NotDirectoryException(parent);
    }
    return new Place(d, name, bytes);
  }

  /** The on-disk bytes of a name or link target given to the api. */
  static byte[] nameBytes(String path, String name) throws FileSystemException {
    try {
      return Names.toBytes(name);
    } catch (IllegalArgumentException e) {
      throw new FileSystemException(path, null, "invalid name (unpaired surrogate)");
    }
  }
}
