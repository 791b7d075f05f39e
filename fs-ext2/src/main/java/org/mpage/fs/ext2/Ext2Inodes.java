// fs/ext2/inode.c: ext2_iget, ext2_evict_inode, ext2_setsize, ext2_write_failed
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import org.mpage.api.fs.CachedFileData;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.page.BufferHead;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory inodes of one mount and their life: read and checked from the inode table, created,
 * deleted with their blocks, truncated and grown; and each regular file's page cache from the
 * engine.
 *
 * <p>An inode is read once and then shared: every path to it sees the same object, which the
 * namespace operations change under the filesystem lock and which the next sync writes back. Its
 * size is volatile, so readers check it without the lock.
 */
final class Ext2Inodes {
  private static final Logger LOG = LoggerFactory.getLogger(Ext2Inodes.class);
  static final long ROOT_INO = 2;

  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final Ext2GetBlock getBlock;
  private final Ext2Dir dir;
  private final ConcurrentHashMap<Long, Ext2Inode> inodes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, CachedFileData> files = new ConcurrentHashMap<>();
  private final Ext2XattrBlock eaBlocks;

  Ext2Inodes(Ext2SbInfo fs, Ext2GetBlock getBlock, Ext2Dir dir) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.getBlock = getBlock;
    this.dir = dir;
    this.eaBlocks = new Ext2XattrBlock(fs);
  }

  /** The extended attribute blocks of this mount (their sharing cache is per mount). */
  Ext2XattrBlock eaBlocks() {
    return eaBlocks;
  }

  /** Port of ext2_iget(), fs/ext2/inode.c: the parsed, checked inode {@code ino}. */
  Ext2Inode iget(long ino) throws IOException {
    Ext2Inode cached = inodes.get(ino);
    if (cached != null) {
      return cached;
    }
    if ((ino != ROOT_INO && ino < sb.firstIno) || ino < 1 || ino > sb.inodesCount) {
      throw fs.corrupt("bad inode number " + ino, ino, -1);
    }
    checkInitialized(ino);
    long block = fs.inodeBlock(ino);
    BufferHead bh = fs.bufferCache().bread(block);
    Ext2Inode inode;
    try {
      fs.checksums().checkInode(ino, bh.data(), fs.inodeOffsetInBlock(ino), sb.inodeSize, block);
      inode = new Ext2Inode(ino, bh.data(), fs.inodeOffsetInBlock(ino), sb);
    } finally {
      bh.put();
    }
    if (inode.links == 0 && (inode.mode == 0 || inode.dtime != 0)) {
      throw fs.corrupt("deleted inode referenced", ino, block);
    }
    checkExt4Fields(inode);
    long maxBlocks =
        inode.usesExtents() ? Ext2Inode.EXTENT_MAX_BLOCKS : Ext2GetBlock.maxBlocks(sb.blockBits());
    long maxBytes = maxBlocks << sb.blockBits();
    if (inode.size() < 0 || inode.size() > maxBytes) {
      throw fs.corrupt("size " + inode.size() + " larger than the largest possible file", ino, -1);
    }
    if (inode.isDir() && inode.size() > sb.blocksCount * sb.blockSize) {
      throw fs.corrupt("directory size " + inode.size() + " larger than the filesystem", ino, -1);
    }
    Ext2Inode prev = inodes.putIfAbsent(ino, inode);
    return prev != null ? prev : inode;
  }

  /**
   * With uninit_bg (or metadata_csum) a group may say that its inode table was never written
   * (INODE_UNINIT): its inodes read as zeros, free whatever the table holds, as e2fsck's inode scan
   * sees them; a directory entry naming one is a corruption. An inode past bg_itable_unused is read
   * from the table, as the kernel's ext4_iget does and as e2fsck keeps it (it fixes the count).
   */
  private void checkInitialized(long ino) throws CorruptFilesystemException {
    if (!sb.hasGroupDescCsum()) {
      return;
    }
    long g = (ino - 1) / sb.inodesPerGroup;
    if ((fs.group(g).flags() & GroupDesc.INODE_UNINIT) != 0) {
      throw fs.corrupt(
          "inode " + ino + " lies in group " + g + ", whose inode table was never initialized",
          ino,
          -1);
    }
  }

  /** The checks ext4_iget() adds: i_extra_isize, and flags only their features allow. */
  private void checkExt4Fields(Ext2Inode inode) throws CorruptFilesystemException {
    int extra = inode.extraIsize;
    if (Ext2Superblock.GOOD_OLD_INODE_SIZE + extra > sb.inodeSize || (extra & 3) != 0) {
      throw fs.corrupt(
          "bad i_extra_isize " + extra + " for " + sb.inodeSize + "-byte inodes", inode.ino, -1);
    }
    if (inode.usesExtents() && !sb.hasIncompat(Ext2Features.INCOMPAT_EXTENTS)) {
      throw fs.corrupt(
          "extent-mapped inode on a filesystem without the extent feature", inode.ino, -1);
    }
    if (inode.hasInlineData() && !sb.hasIncompat(Ext2Features.INCOMPAT_INLINE_DATA)) {
      throw fs.corrupt(
          "inline-data inode on a filesystem without the inline_data feature", inode.ino, -1);
    }
    if (inode.hasInlineData() && inode.usesExtents()) {
      throw fs.corrupt("inode flagged both inline-data and extent-mapped", inode.ino, -1);
    }
  }

  // ext2_new_inode (the in-core half; Ext2Ialloc takes the number)
  /** A new inode near {@code parent}, with one link and the current times. Holds the lock. */
  Ext2Inode newInode(Ext2Inode parent, int mode) throws IOException {
    boolean isDir = (mode & Ext2Inode.S_IFMT) == Ext2Inode.S_IFDIR;
    long ino = fs.ialloc().allocInode(parent.ino, isDir);
    Ext2Inode ei = new Ext2Inode(ino, sb.blockBits(), sb.inodeSize);
    ei.mode = mode;
    ei.links = 1;
    long t = fs.now();
    ei.atime = t;
    ei.ctime = t;
    ei.mtime = t;
    ei.generation = ino;
    try {
      // Into its inode table block now: entries naming it are ordered after that block (see
      // Ext2Dir), and a block that cannot be read fails the creation before anything names it.
      fs.writeInode(ei);
    } catch (IOException e) {
      try {
        fs.ialloc().freeInode(ino, isDir);
      } catch (IOException f) {
        e.addSuppressed(f);
      }
      throw e;
    }
    inodes.put(ino, ei);
    dir.forget(ino);
    fs.forgetCorruption(ino);
    fs.inodeChanged(ei);
    return ei;
  }

  // the VFS's i_count: open handles keep an inode whose last link is gone (an orphan) alive
  private final java.util.IdentityHashMap<Ext2Inode, Integer> opens =
      new java.util.IdentityHashMap<>();

  /**
   * A handle on {@code ei} is being opened. The lookup that found the inode ran before, without a
   * lock; if the last link went and the inode was freed in between, the open comes after the unlink
   * and fails as it would have then.
   */
  synchronized void opened(String path, Ext2Inode ei) throws NoSuchFileException {
    if (ei.freed) {
      throw new NoSuchFileException(path);
    }
    opens.merge(ei, 1, Integer::sum);
  }

  // ext2_release_file (the reservation window), then iput
  /**
   * A handle on {@code ei} was closed: its last close gives back the file's reservation window (as
   * ext2_release_file discards it: blocks are allocated when written, so nothing after the close
   * needs it, and a window left behind for each of thousands of written files made every later
   * allocation step over them), and frees the inode when that was its last reference.
   */
  void closed(Ext2Inode ei) throws IOException {
    boolean last;
    synchronized (this) {
      opens.computeIfPresent(ei, (k, n) -> n == 1 ? null : n - 1);
      last = !opens.containsKey(ei);
    }
    if (last && !fs.readOnly()) {
      fs.lock();
      try {
        fs.balloc().discardWindow(ei.ino);
      } finally {
        fs.unlock();
      }
    }
    iput(ei);
  }

  /**
   * iput: frees an inode with no link left once no handle has it open either; called after the last
   * link goes (without the lock) and after each close. Only one caller frees it.
   *
   * <p>A read-only mount frees nothing. There the only inodes without links are those the image
   * came with (a directory names an inode whose link count is 0, but not deleted): freeing one at
   * its last close dirtied the bitmaps, the inode table and the group descriptors, and the unmount
   * wrote them to a device the mount had promised not to write. It stays as found, for e2fsck.
   */
  void iput(Ext2Inode ei) throws IOException {
    synchronized (this) {
      if (ei.links > 0 || opens.containsKey(ei) || ei.freed || fs.readOnly()) {
        return;
      }
      ei.freed = true; // claimed: no other caller frees it again
    }
    dropFileCache(ei.ino);
    fs.lock();
    try {
      deleteInode(ei);
    } finally {
      fs.unlock();
    }
  }

  // ext2_evict_inode: ext2_truncate_blocks, ext2_xattr_delete_inode, then ext2_free_inode
  /** Frees an inode whose last link is gone, with its blocks. Holds the lock. */
  void deleteInode(Ext2Inode ei) throws IOException {
    if (ei.hasBlockMap()) {
      new Ext2Truncate(fs, ei).freeFrom(0);
    }
    ei.setSize(0);
    eaBlocks.deleteInode(ei);
    ei.dtime = fs.now();
    ei.links = 0;
    fs.ialloc().freeInode(ei.ino, ei.isDir());
    fs.balloc().discardWindow(ei.ino);
    fs.writeInode(ei);
    fs.inodeGone(ei);
    inodes.remove(ei.ino);
    dir.forget(ei.ino);
  }

  // ---- the page cache of regular files ----

  /** The file's page cache, made on first use: allocating on write unless mounted read-only. */
  CachedFileData cachedData(String path, Ext2Inode inode) {
    String pool = fs.device().name();
    return files.computeIfAbsent(
        inode.ino,
        ino ->
            fs.readOnly()
                ? fs.engine().cachedFile(path, inode, getBlock, pool)
                : fs.engine().cachedFileAllocatingOnWrite(path, inode, getBlock, pool));
  }

  /** Why {@code ei}'s blocks cannot be mapped now (no provider of its scheme), or null. */
  IOException mappingUnavailable(Ext2Inode ei) {
    return getBlock.unavailable(ei);
  }

  /** Drops a deleted file's pages, outside the filesystem lock (writeback takes it). */
  void dropFileCache(long ino) {
    CachedFileData data = files.remove(ino);
    if (data != null) {
      data.dropPages(0);
    }
  }

  /** The page caches of the files opened so far. */
  Collection<CachedFileData> openedFiles() {
    return files.values();
  }

  /** Drops every page and forgets every inode (unmount). */
  void clear() {
    for (CachedFileData data : files.values()) {
      data.dropPages(0);
    }
    files.clear();
    inodes.clear();
  }

  /**
   * Writes back a file's dirty pages and waits, through a handle of its own: an error stays for the
   * user's handles to report at their fsync (each open file has its own error cursor).
   */
  void writeBackData(String path, Ext2Inode inode) {
    try (FileHandle h = cachedData(path, inode).open()) {
      h.fsync();
    } catch (IOException e) {
      LOG.debug("writeback before a seek of {} failed", path, e);
    }
  }

  /** The first block at or after {@code from} that is mapped (or a hole), -1 if none. */
  long seekBlock(Ext2Inode inode, long from, boolean wantData) throws IOException {
    return getBlock.seek(inode, from, wantData);
  }

  // ---- sizes ----

  /**
   * Ensures a file may reach {@code size} bytes: at most ext2_max_size() (EFBIG beyond), and over 2
   * GiB only with large_file (set on demand for revision 1).
   */
  void allowSize(String path, long size) throws IOException {
    if (size > sb.maxBytes) {
      throw new FileSystemException(path, null, "file too large");
    }
    if (size <= Integer.MAX_VALUE || sb.hasRoCompat(Ext2Features.RO_COMPAT_LARGE_FILE)) {
      return;
    }
    if (sb.revLevel == Ext2Superblock.GOOD_OLD_REV) {
      throw new FileSystemException(path, null, "file too large for a revision 0 filesystem");
    }
    fs.lock();
    try {
      sb.featureRoCompat |= Ext2Features.RO_COMPAT_LARGE_FILE;
      fs.superChanged();
    } finally {
      fs.unlock();
    }
  }

  // ext2_setsize
  /**
   * Sets a file's size: the page cache drops what is beyond and zeroes the tail of the last page
   * (the kernel's truncate_setsize), then the blocks beyond are freed (ext2_truncate_blocks). A
   * grown file gets a hole. Called without the filesystem lock, which it takes for the blocks.
   */
  void truncate(String path, Ext2Inode inode, long size) throws IOException {
    allowSize(path, size);
    CachedFileData data = cachedData(path, inode);
    // The inode lock across both halves, as do_truncate holds i_rwsem: a write in between would
    // allocate blocks past the new size that the freeing below takes back from under its pages.
    data.inodeLock().lock();
    try {
      truncateLocked(inode, data, size);
    } finally {
      data.inodeLock().unlock();
    }
  }

  private void truncateLocked(Ext2Inode inode, CachedFileData data, long size) throws IOException {
    long old = inode.size();
    if (size < old) {
      long blockEnd = Math.min(old, (size + sb.blockSize - 1) / sb.blockSize * sb.blockSize);
      if (blockEnd > size) {
        // Zero the rest of the last block through the page cache, so the disk has no stale tail.
        try (FileHandle h = data.open()) {
          h.write(size, ByteBuffer.allocate((int) (blockEnd - size)));
        }
      }
    }
    data.truncate(size);
    fs.lock();
    try {
      if (size < old) {
        new Ext2Truncate(fs, inode).freeFrom((size + sb.blockSize - 1) / sb.blockSize);
        inode.lastAllocLogical = -1;
        fs.balloc().discardWindow(inode.ino);
      }
      inode.setSize(size);
      inode.mtime = fs.now();
      inode.ctime = inode.mtime;
      fs.inodeChanged(inode);
    } finally {
      fs.unlock();
    }
  }

  // ext2_write_failed
  /**
   * A write stopped part way (ENOSPC): blocks it allocated past the file's end are freed again, so
   * no block lies beyond i_size.
   */
  void writeFailed(String path, Ext2Inode inode) throws IOException {
    long size = inode.size();
    cachedData(path, inode).truncate(size);
    fs.lock();
    try {
      new Ext2Truncate(fs, inode).freeFrom((size + sb.blockSize - 1) / sb.blockSize);
      inode.lastAllocLogical = -1;
      fs.balloc().discardWindow(inode.ino);
      fs.inodeChanged(inode);
    } finally {
      fs.unlock();
    }
  }
}
