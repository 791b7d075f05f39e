// fs/ext2/super.c: struct ext2_sb_info, ext2_setup_super, ext2_sync_fs, ext2_put_super
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.WritebackException;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;

/**
 * What one mounted ext2 shares between its parts, as the kernel's {@code struct ext2_sb_info}: the
 * device, its buffer cache, the parsed superblock and group descriptors, the allocators, the
 * filesystem lock, and the metadata that has changed in memory since the last sync.
 *
 * <p>Every helper (get_block, the allocators, truncate, directories, the file handle) works on this
 * object and never on the {@link Ext2FileSystem} facade, so the facade can stay a thin translation
 * of the api's calls.
 *
 * <p>Locking: {@link #lock()} is the one filesystem lock. It serializes allocation, inode table
 * writes, the superblock and descriptor counts and every namespace change (the kernel spreads this
 * over several locks; one is simpler and ext2 writes are not parallel enough to miss them). It is
 * reentrant. Page-cache truncation never runs under it: writeback takes it in get_block, so a
 * truncation waiting for writeback under the lock could wait for ever.
 */
final class Ext2SbInfo {
  static final int STATE_VALID = 1;

  private final BlockDevice device;
  private final StorageEngine engine;
  private final Ext2Superblock sb;
  private final BufferCache bc;
  private final GroupDesc[] groups;
  private final boolean readOnly;
  private final Ext2Checksums checksums;

  /** The mount option {@code time}: the seconds every change stamps, or -1 for the clock. */
  private final long fixedTime;

  /** s_mount_state: whether the filesystem was clean when mounted, to say so again at unmount. */
  private final boolean wasValid;

  private final ReentrantLock fsLock = new ReentrantLock();
  private final Ext2Balloc balloc;
  private final Ext2Ialloc ialloc;
  private final Set<Ext2Inode> dirtyInodes = ConcurrentHashMap.newKeySet();
  private final Set<Long> dirtyGroups = ConcurrentHashMap.newKeySet();
  private volatile boolean superDirty;
  private final UmountGate umountGate;

  /**
   * The last corruption found in each inode's mapping, by inode: get_block fails inside the page
   * cache, which reports only an I/O error, and the file handle looks here to name the cause.
   */
  private final ConcurrentHashMap<Long, CorruptFilesystemException> corruption =
      new ConcurrentHashMap<>();

  Ext2SbInfo(
      BlockDevice device,
      StorageEngine engine,
      Ext2Superblock sb,
      BufferCache bc,
      GroupDesc[] groups,
      boolean readOnly,
      Ext2Checksums checksums,
      long fixedTime) {
    this.device = device;
    this.engine = engine;
    this.sb = sb;
    this.bc = bc;
    this.groups = groups;
    this.readOnly = readOnly;
    this.checksums = checksums;
    this.fixedTime = fixedTime;
    this.wasValid = (sb.state & STATE_VALID) != 0;
    this.balloc = new Ext2Balloc(this);
    this.ialloc = new Ext2Ialloc(this);
    this.umountGate = new UmountGate(device.name());
  }

  /** What keeps this mount's unmount apart from its operations and open files. */
  UmountGate umountGate() {
    return umountGate;
  }

  BlockDevice device() {
    return device;
  }

  StorageEngine engine() {
    return engine;
  }

  Ext2Superblock superblock() {
    return sb;
  }

  BufferCache bufferCache() {
    return bc;
  }

  boolean readOnly() {
    return readOnly;
  }

  /** What the metadata checksums of this filesystem are and how a mismatch is handled. */
  Ext2Checksums checksums() {
    return checksums;
  }

  Ext2Balloc balloc() {
    return balloc;
  }

  Ext2Ialloc ialloc() {
    return ialloc;
  }

  /**
   * The time every change stamps (seconds): the clock, or the fixed time of the mount option {@code
   * time=SECONDS} (a reproducible build's SOURCE_DATE_EPOCH), which also stamps the superblock's
   * mount and write times.
   */
  long now() {
    return fixedTime >= 0 ? fixedTime : System.currentTimeMillis() / 1000;
  }

  // ---- the filesystem lock ----

  void lock() {
    fsLock.lock();
  }

  void unlock() {
    fsLock.unlock();
  }

  // ---- groups ----

  GroupDesc group(long g) {
    return groups[(int) g];
  }

  // ext2_group_first_block_no
  long groupStart(long g) {
    return sb.firstDataBlock + g * sb.blocksPerGroup;
  }

  // ---- corruption ----

  /** A corruption found while working on {@code ino}: remembered so that a read can name it. */
  CorruptFilesystemException corrupt(String message, long ino, long block) {
    CorruptFilesystemException e = new CorruptFilesystemException(message, ino, block);
    if (ino >= 0) {
      corruption.put(ino, e);
    }
    return e;
  }

  /** The corruption last found in {@code ino}'s mapping, if any. */
  CorruptFilesystemException corruptionOf(long ino) {
    return corruption.get(ino);
  }

  /** An inode number used again starts with no corruption on record. */
  void forgetCorruption(long ino) {
    corruption.remove(ino);
  }

  void checkBlock(long block, long ino, String what) throws CorruptFilesystemException {
    if (block < sb.firstDataBlock || block >= sb.blocksCount) {
      throw corrupt(what + " " + block + " outside the filesystem", ino, block);
    }
  }

  // ---- changes kept in memory until the next sync ----

  void groupChanged(long g) {
    dirtyGroups.add(g);
    superDirty = true;
  }

  void superChanged() {
    superDirty = true;
  }

  void inodeChanged(Ext2Inode ei) {
    ei.dirty = true;
    dirtyInodes.add(ei);
  }

  /** A deleted inode has been written for the last time: the next sync leaves it alone. */
  void inodeGone(Ext2Inode ei) {
    dirtyInodes.remove(ei);
  }

  /** Writes a freshly allocated metadata block's content through the device's cache. */
  void writeNewBlock(long block, ByteBuffer content) throws IOException {
    BufferHead bh = bc.getblk(block);
    try {
      ByteBuffer d = bh.data();
      d.put(content.duplicate().clear().limit(Math.min(content.capacity(), d.remaining())));
      while (d.hasRemaining()) {
        d.put((byte) 0);
      }
      bh.set(BhState.UPTODATE);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  /** The inode table block holding inode {@code ino}, as ext2_get_inode() finds it. */
  long inodeBlock(long ino) {
    long group = (ino - 1) / sb.inodesPerGroup;
    long byteOffset = ((ino - 1) % sb.inodesPerGroup) * sb.inodeSize;
    return groups[(int) group].inodeTable() + byteOffset / sb.blockSize;
  }

  /** Where inode {@code ino} starts in its inode table block. */
  int inodeOffsetInBlock(long ino) {
    long byteOffset = ((ino - 1) % sb.inodesPerGroup) * sb.inodeSize;
    return (int) (byteOffset % sb.blockSize);
  }

  // __ext2_write_inode (fs/ext2/inode.c), without waiting: the buffer is written at the next sync
  /** Writes an inode into its inode table block (in the buffer cache). Holds the lock. */
  void writeInode(Ext2Inode ei) throws IOException {
    BufferHead bh = bc.bread(inodeBlock(ei.ino));
    try {
      // Clean before the copy, not after: a change made meanwhile without the lock (a write's
      // mtime) dirties the inode again and is written next time, instead of being marked written.
      ei.dirty = false;
      ei.writeTo(bh.data(), inodeOffsetInBlock(ei.ino));
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  // ext2_sync_super
  /** Writes the superblock and changed group descriptors into the buffer cache. Holds the lock. */
  private void writeSuper() throws IOException {
    int perBlock = sb.blockSize / GroupDesc.SIZE;
    for (Long g : new ArrayList<>(dirtyGroups)) {
      dirtyGroups.remove(g);
      long block = sb.firstDataBlock + 1 + g / perBlock;
      BufferHead bh = bc.bread(block);
      try {
        groups[(int) (long) g].writeTo(bh.data(), (int) (g % perBlock) * GroupDesc.SIZE);
        bc.markBufferDirty(bh);
      } finally {
        bh.put();
      }
    }
    if (superDirty) {
      superDirty = false;
      sb.wtime = now();
      long block = Ext2Superblock.OFFSET / sb.blockSize;
      BufferHead bh = bc.bread(block);
      try {
        sb.writeTo(bh.data(), Ext2Superblock.OFFSET % sb.blockSize);
        bc.markBufferDirty(bh);
      } finally {
        bh.put();
      }
    }
  }

  // ext2_setup_super
  /** A read-write mount: the superblock says "not clean" on disk until a clean unmount. */
  void setupSuper() throws IOException {
    lock();
    try {
      sb.state &= ~STATE_VALID;
      sb.mtime = now();
      superDirty = true;
      writeSuper();
    } finally {
      unlock();
    }
    bc.sync();
  }

  // ext2_sync_fs
  /**
   * Writes every dirty inode, the group descriptors and the superblock, then the device's cache,
   * and flushes the device: what fsync and sync need after the data.
   */
  void syncMetadata() throws IOException {
    if (readOnly) {
      return;
    }
    lock();
    try {
      for (Ext2Inode ei : new ArrayList<>(dirtyInodes)) {
        dirtyInodes.remove(ei);
        if (ei.dirty) {
          writeInode(ei);
        }
      }
      writeSuper();
    } finally {
      unlock();
    }
    int err = bc.sync();
    if (err != 0) {
      throw new IOException(
          device.name() + ": writing metadata failed: " + WritebackException.errnoName(err));
    }
    flushDevice();
  }

  // ext2_put_super
  /** The clean state found at mount goes back on disk, with everything else, at unmount. */
  void putSuper() throws IOException {
    lock();
    try {
      if (wasValid) {
        sb.state |= STATE_VALID;
      }
      superDirty = true;
      writeSuper();
    } finally {
      unlock();
    }
    syncMetadata();
  }

  private void flushDevice() throws IOException {
    BlockStatus st = engine.flush(device);
    if (!st.isOk()) {
      throw new BlockIOException(device.name(), BioOp.FLUSH, 0, st);
    }
  }
}
