// fs/ext2/super.c (ext2_sops), namei.c, dir.c and file.c as the api's FileSystem sees them
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CachedFileData;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.FsInfo;
import org.mpage.api.fs.Names;
import org.mpage.api.fs.XattrMode;
import org.mpage.api.page.GetBlock;
import org.mpage.fs.ext2.disk.DirEntries;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * A mounted ext2 filesystem, readable and writable: the api's {@link FileSystem} over the parts
 * that follow the kernel's files ({@link Ext2SbInfo} and {@link Ext2Super} for super.c, {@link
 * Ext2Inodes} and {@link Ext2GetBlock} for inode.c, {@link Ext2Dir}, {@link Ext2Namei}, {@link
 * Ext2Symlink}, the allocators). This class only resolves paths and checks what the api promises
 * (file types); {@link Ext2Calls} wraps each call (unmount gate, writable mount, filesystem lock,
 * unexpected runtime failures turned into errors); the work is in the parts.
 *
 * <p>Every number read from disk is checked before it is used; an inconsistency ends the operation
 * with a {@link CorruptFilesystemException} naming the inode and block, and nothing else.
 * Thread-safe: the caches are concurrent, and inodes, directories and allocation change only under
 * the filesystem lock (see {@link Ext2SbInfo}).
 */
final class Ext2FileSystem implements FileSystem {
  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final Ext2Inodes inodes;
  private final Ext2Dir dir;
  private final Ext2Symlink symlinks;
  private final Ext4InlineData inline;
  private final PathWalk walk;
  private final Ext2Namei namei;
  private final Ext2GetBlock getBlock;
  private final String journal;
  private final UmountGate gate;
  private final Ext2Xattr xattr;
  private final Ext2Calls calls;

  /**
   * @param journal what {@code info} says of the journal: "clean", what a replay did, or null for a
   *     filesystem without one
   */
  Ext2FileSystem(Ext2SbInfo fs, boolean boundaryHints, String journal, BlockMaps maps) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.journal = journal;
    this.gate = fs.umountGate();
    this.calls = new Ext2Calls(fs);
    Ext2GetBlock getBlock = new Ext2GetBlock(fs, boundaryHints, maps);
    this.getBlock = getBlock;
    this.inline = new Ext4InlineData(fs);
    this.dir = new Ext2Dir(fs, getBlock, inline);
    this.inodes = new Ext2Inodes(fs, getBlock, dir);
    this.symlinks = new Ext2Symlink(fs, getBlock, inline);
    this.walk = new PathWalk(fs, inodes, dir, symlinks);
    this.namei = new Ext2Namei(fs, inodes, dir, symlinks, walk);
    this.xattr = new Ext2Xattr(fs, inodes.eaBlocks());
  }

  Ext2Inodes inodes() {
    return inodes;
  }

  /** The device this mount reads: after a journal replay, the overlay of the replayed blocks. */
  org.mpage.api.block.BlockDevice device() {
    return fs.device();
  }

  /** The block mapper of this mount's files (and of the journal inode). */
  GetBlock getBlock() {
    return getBlock;
  }

  // ---- reading ----

  @Override
  public FsInfo info() {
    return new FsInfo(
        Ext2Features.kind(sb.featureCompat, sb.featureIncompat, sb.featureRoCompat),
        sb.uuidString(),
        sb.volumeName,
        sb.revLevel,
        sb.blockSize,
        sb.blocksCount,
        sb.freeBlocksCount,
        sb.inodesCount,
        sb.freeInodesCount,
        sb.inodeSize,
        sb.groupsCount,
        Ext2Features.all(sb.featureCompat, sb.featureIncompat, sb.featureRoCompat),
        sb.stateString(),
        fs.readOnly(),
        journal,
        fs.checksums().describe());
  }

  @Override
  public FileStat stat(String path) throws IOException {
    return calls.guard(path, () -> toStat(walk.resolve(path, true)));
  }

  @Override
  public FileStat lstat(String path) throws IOException {
    return calls.guard(path, () -> toStat(walk.resolve(path, false)));
  }

  // ext2_getattr
  private static FileStat toStat(Ext2Inode i) {
    return new FileStat(
        i.ino,
        i.type(),
        i.mode & 07777,
        i.links,
        i.uid,
        i.gid,
        i.size(),
        i.blocks,
        i.atime,
        i.mtime,
        i.ctime,
        i.type() == FileType.CHAR_DEVICE || i.type() == FileType.BLOCK_DEVICE ? i.rdev() : 0);
  }

  @Override
  public List<DirEntry> list(String path) throws IOException {
    return calls.guard(
        path,
        () -> {
          Ext2Inode d = walk.resolve(path, true);
          if (!d.isDir()) {
            throw new NotDirectoryException(path);
          }
          List<DirEntry> out = new ArrayList<>();
          boolean types = sb.hasIncompat(Ext2Features.INCOMPAT_FILETYPE);
          for (DirEntries.Raw e : dir.readDir(d)) {
            if (Ext2Dir.isDotOrDotDot(e.name())) {
              continue;
            }
            String name = Names.fromBytes(e.name());
            out.add(
                new DirEntry(
                    name, e.ino(), types ? DirEntries.type(e.fileType()) : FileType.UNKNOWN));
          }
          return out;
        });
  }

  @Override
  public String readLink(String path) throws IOException {
    return calls.guard(
        path,
        () -> {
          Ext2Inode link = walk.resolve(path, false);
          if (!link.isSymlink()) {
            throw new FileSystemException(path, null, "not a symbolic link");
          }
          return symlinks.readLink(link);
        });
  }

  @Override
  public FileHandle open(String path) throws IOException {
    return calls.guard(path, () -> handle(path, walk.resolve(path, true)));
  }

  /** A handle on a regular file; anything else is refused. */
  private FileHandle handle(String path, Ext2Inode inode) throws IOException {
    checkRegular(path, inode);
    // Counted open first: an unlink between the lookup and here has freed the inode (the open
    // fails), or it cannot free it any more. The page cache is looked up only then: made for an
    // inode already freed, it stayed under that inode number and served the next file to get the
    // number, writing the freed inode over it (e2fsck: an entry naming a deleted inode).
    inodes.opened(path, inode);
    try {
      FileHandle data =
          inode.hasInlineData()
              ? new Ext4InlineFile(path, inline.read(inode))
              : inodes.cachedData(path, inode).open();
      return new Ext2FileHandle(fs, inodes, path, inode, data);
    } catch (IOException | RuntimeException e) {
      inodes.closed(inode);
      throw e;
    }
  }

  private static void checkRegular(String path, Ext2Inode inode) throws FileSystemException {
    if (inode.isDir()) {
      throw new FileSystemException(path, null, "is a directory");
    }
    if (!inode.isRegular()) {
      throw new FileSystemException(path, null, "not a regular file");
    }
  }

  // ---- writing ----

  @Override
  public FileHandle openWrite(String path, boolean create, boolean truncate, int permissions)
      throws IOException {
    return calls.guard(
        path,
        () -> {
          calls.checkWritable(path);
          Ext2Inode inode = namei.openForWrite(path, create, permissions);
          // Counted open before the truncation, so that an unlink racing with this open cannot
          // free the inode under it (O_TRUNC applies to the file the open holds).
          FileHandle h = handle(path, inode);
          if (truncate && inode.size() > 0) {
            try {
              inodes.truncate(path, inode, 0);
            } catch (IOException | RuntimeException e) {
              h.close();
              throw e;
            }
          }
          return h;
        });
  }

  @Override
  public void mkdir(String path, int permissions) throws IOException {
    calls.mutate(path, () -> namei.mkdir(path, permissions));
  }

  @Override
  public void unlink(String path) throws IOException {
    calls.change(path, () -> namei.unlink(path));
  }

  @Override
  public void rmdir(String path) throws IOException {
    calls.mutate(path, () -> namei.rmdir(path));
  }

  @Override
  public void rename(String from, String to) throws IOException {
    calls.change(from, () -> namei.rename(from, to));
  }

  @Override
  public void link(String target, String path) throws IOException {
    calls.mutate(path, () -> namei.link(target, path));
  }

  @Override
  public void symlink(String target, String path) throws IOException {
    calls.change(path, () -> namei.symlink(target, path));
  }

  @Override
  public void truncate(String path, long size) throws IOException {
    calls.change(
        path,
        () -> {
          if (size < 0) {
            throw new FileSystemException(path, null, "negative size");
          }
          Ext2Inode inode = walk.resolve(path, true);
          if (!inode.isRegular()) {
            throw new FileSystemException(path, null, "not a regular file");
          }
          // Held as an open file while it is cut, as do_truncate holds its inode: an unlink
          // racing with it cannot free the inode and have its number reused under the truncation.
          inodes.opened(path, inode);
          try {
            inodes.truncate(path, inode, size);
          } finally {
            inodes.closed(inode);
          }
        });
  }

  // ext2_setattr (mode and times)
  @Override
  public void setAttributes(String path, int permissions, long mtime) throws IOException {
    calls.mutate(
        path,
        () -> {
          Ext2Inode inode = walk.resolve(path, false);
          inode.mode = (inode.mode & Ext2Inode.S_IFMT) | (permissions & 07777);
          inode.mtime = mtime;
          inode.ctime = fs.now();
          fs.inodeChanged(inode);
        });
  }

  // ext2_setattr (owner), as chown -h: a symbolic link itself is changed
  @Override
  public void setOwner(String path, long uid, long gid) throws IOException {
    if (uid < -1 || uid > 0xffff_ffffL || gid < -1 || gid > 0xffff_ffffL) {
      throw new IllegalArgumentException("owner ids must be 32-bit: " + uid + ", " + gid);
    }
    calls.mutate(
        path,
        () -> {
          Ext2Inode inode = walk.resolve(path, false);
          if (uid != -1) {
            inode.uid = uid;
          }
          if (gid != -1) {
            inode.gid = gid;
          }
          inode.ctime = fs.now();
          fs.inodeChanged(inode);
        });
  }

  // ext2_setattr (times), as utimensat with AT_SYMLINK_NOFOLLOW
  @Override
  public void setTimes(String path, long atime, long mtime) throws IOException {
    calls.mutate(
        path,
        () -> {
          Ext2Inode inode = walk.resolve(path, false);
          if (atime != -1) {
            inode.atime = atime & 0xffff_ffffL;
          }
          if (mtime != -1) {
            inode.mtime = mtime & 0xffff_ffffL;
          }
          inode.ctime = fs.now();
          fs.inodeChanged(inode);
        });
  }

  // ext2_mknod
  @Override
  public void mknod(String path, FileType type, int permissions, long rdev) throws IOException {
    int fmt =
        switch (type) {
          case CHAR_DEVICE -> Ext2Inode.S_IFCHR;
          case BLOCK_DEVICE -> Ext2Inode.S_IFBLK;
          case FIFO -> Ext2Inode.S_IFIFO;
          case SOCKET -> Ext2Inode.S_IFSOCK;
          default ->
              throw new IllegalArgumentException(
                  "mknod makes devices, FIFOs and sockets, not " + type);
        };
    calls.mutate(path, () -> namei.mknod(path, fmt | (permissions & 07777), rdev));
  }

  // ---- sync and unmount ----

  // ext2_sync_fs, after the data of every file opened
  @Override
  public void sync() throws IOException {
    gate.enter();
    try {
      syncAll();
    } finally {
      gate.leave();
    }
  }

  private void syncAll() throws IOException {
    if (fs.readOnly()) {
      return;
    }
    IOException first = null;
    for (CachedFileData data : inodes.openedFiles()) {
      try (FileHandle h = data.open()) {
        h.fsync();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    fs.syncMetadata();
    if (first != null) {
      throw first;
    }
  }

  // ext2_put_super, after a last sync; waits for the operations and handle calls under way
  @Override
  public void close() throws IOException {
    gate.lockExclusive();
    try {
      if (gate.isShut()) {
        return;
      }
      IOException failure = null;
      if (!fs.readOnly()) {
        try {
          syncAll();
          fs.putSuper();
        } catch (IOException e) {
          failure = e;
        }
      }
      gate.shut();
      inodes.clear();
      dir.clear();
      fs.engine().forgetDevice(fs.device());
      if (failure != null) {
        throw failure;
      }
    } finally {
      gate.unlock();
    }
  }

  // ---- extended attributes (the l*xattr calls: a final symbolic link is not followed) ----

  /** Runs an attribute operation on {@code path}'s own inode under the filesystem lock. */
  private <T> T onXattrs(String path, boolean write, XattrCall<T> call) throws IOException {
    return calls.guard(
        path,
        () -> {
          if (write) {
            calls.checkWritable(path);
          }
          Ext2Inode inode = walk.resolve(path, false);
          fs.lock();
          try {
            return call.call(inode);
          } finally {
            fs.unlock();
          }
        });
  }

  @FunctionalInterface
  private interface XattrCall<T> {
    T call(Ext2Inode inode) throws IOException;
  }

  // vfs_getxattr -> ext2_xattr_get
  @Override
  public byte[] getXattr(String path, String name) throws IOException {
    return onXattrs(path, false, i -> xattr.get(i, path, name));
  }

  // vfs_listxattr -> ext2_listxattr
  @Override
  public List<String> listXattr(String path) throws IOException {
    return onXattrs(path, false, i -> xattr.list(i));
  }

  // vfs_setxattr -> ext2_xattr_set
  @Override
  public void setXattr(String path, String name, byte[] value, XattrMode mode) throws IOException {
    java.util.Objects.requireNonNull(value, "value");
    java.util.Objects.requireNonNull(mode, "mode");
    onXattrs(
        path,
        true,
        i -> {
          xattr.set(i, path, name, value, mode);
          return null;
        });
  }

  // vfs_removexattr -> ext2_xattr_set with no value
  @Override
  public void removeXattr(String path, String name) throws IOException {
    onXattrs(
        path,
        true,
        i -> {
          xattr.set(i, path, name, null, XattrMode.REPLACE);
          return null;
        });
  }
}
