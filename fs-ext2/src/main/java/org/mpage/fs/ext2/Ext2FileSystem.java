package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CachedFileData;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.FsInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Names;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.fs.ext2.disk.DirEntries;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted ext2 filesystem (read path): superblock and group descriptors, inodes from the inode
 * tables, directories and indirect blocks through the device's buffer cache, file data through the
 * page cache and mpage with {@link Ext2GetBlock}.
 *
 * <p>Every number read from disk is checked before it is used; an inconsistency ends the operation
 * with a {@link CorruptFilesystemException} naming the inode and block, and nothing else.
 * Thread-safe: the caches are concurrent and parsed inodes are immutable here.
 */
final class Ext2FileSystem implements FileSystem {
  private static final Logger LOG = LoggerFactory.getLogger(Ext2FileSystem.class);
  static final long ROOT_INO = 2;
  private static final int MAX_SYMLINKS = 40;
  private static final int FAST_SYMLINK_MAX = Ext2Inode.N_BLOCKS * 4;

  private final BlockDevice device;
  private final StorageEngine engine;
  private final Ext2Superblock sb;
  private final BufferCache bc;
  private final GroupDesc[] groups;
  private final boolean readOnly;
  private final Ext2GetBlock getBlock;
  private final ConcurrentHashMap<Long, Ext2Inode> inodes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, CachedFileData> files = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, CorruptFilesystemException> corruption =
      new ConcurrentHashMap<>();

  /**
   * Names of each directory read so far, by inode (the kernel's dentry cache): lookups in large
   * directories would otherwise rescan them for every name. Keys are the raw name bytes as
   * ISO-8859-1 strings, so every byte sequence compares exactly.
   */
  private final ConcurrentHashMap<Long, Map<String, Long>> dcache = new ConcurrentHashMap<>();

  private volatile boolean closed;

  /** The filesystem lock: allocation, inode tables and namespace changes (the kernel's locks). */
  private final java.util.concurrent.locks.ReentrantLock fsLock =
      new java.util.concurrent.locks.ReentrantLock();

  private final Ext2Alloc alloc;
  private final Set<Ext2Inode> dirtyInodes = ConcurrentHashMap.newKeySet();
  private final Set<Long> dirtyGroups = ConcurrentHashMap.newKeySet();
  private volatile boolean superDirty;
  private final boolean wasValid;

  private Ext2FileSystem(
      BlockDevice device, StorageEngine engine, Ext2Superblock sb, MountOptions options)
      throws IOException {
    this.device = device;
    this.engine = engine;
    this.sb = sb;
    this.readOnly = options.readOnly();
    this.getBlock = new Ext2GetBlock(this, !"off".equals(options.option("boundary", "on")));
    this.bc = engine.bufferCache(device, sb.blockSize);
    this.groups = readGroupDescriptors();
    this.alloc = new Ext2Alloc(this, sb, bc);
    this.wasValid = (sb.state & STATE_VALID) != 0;
  }

  static final int STATE_VALID = 1;

  /** Port of ext2_fill_super()'s checks, fs/ext2/super.c. */
  static Ext2FileSystem mount(BlockDevice device, StorageEngine engine, MountOptions options)
      throws IOException {
    long deviceBytes = device.capacitySectors() * BlockDevice.SECTOR_SIZE;
    if (deviceBytes < Ext2Superblock.OFFSET + Ext2Superblock.SIZE) {
      throw new CorruptFilesystemException(
          "device " + device.name() + " is too small (" + deviceBytes + " bytes) for ext2", -1, -1);
    }
    ByteBuffer raw = readRaw(device, Ext2Superblock.OFFSET, Ext2Superblock.SIZE);
    Ext2Superblock sb = new Ext2Superblock(raw, deviceBytes);
    int unsupported = sb.featureIncompat & ~Ext2Features.INCOMPAT_SUPP;
    if (unsupported != 0) {
      throw new UnsupportedFeatureException("ext2", Ext2Features.incompatNames(unsupported));
    }
    if (sb.blockSize > Folio.PAGE_SIZE) {
      throw new UnsupportedFeatureException(
          "ext2", List.of("block size " + sb.blockSize + " (larger than the 4096-byte page)"));
    }
    if (!options.readOnly()) {
      if (sb.hasCompat(Ext2Features.COMPAT_HAS_JOURNAL)) {
        throw new UnsupportedFeatureException(
            "ext2", List.of("has_journal (an ext3 image: mount it read-only to read it)"));
      }
      int roUnknown = sb.featureRoCompat & ~Ext2Features.RO_COMPAT_SUPP;
      if (roUnknown != 0) {
        List<String> names = new ArrayList<>(Ext2Features.roCompatNames(roUnknown));
        names.add("(read-only compatible: mount read-only)");
        throw new UnsupportedFeatureException("ext2", names);
      }
      if (device.capacitySectors() == 0) {
        throw new IOException(device.name() + ": device is empty");
      }
    }
    Ext2Geometry.checkSuper(
        sb, options.readOnly(), at -> readRaw(device, at, Ext2Superblock.SIZE), deviceBytes);
    Ext2FileSystem fs = new Ext2FileSystem(device, engine, sb, options);
    Ext2Inode root = fs.iget(ROOT_INO);
    if (!root.isDir()) {
      throw new CorruptFilesystemException("the root inode is not a directory", ROOT_INO, -1);
    }
    if (!fs.readOnly) {
      // Mounted read-write: not clean until a clean unmount (ext2_setup_super).
      fs.lock();
      try {
        sb.state &= ~STATE_VALID;
        sb.mtime = now();
        fs.superDirty = true;
        fs.writeSuper();
      } finally {
        fs.unlock();
      }
      fs.bc.sync();
    }
    return fs;
  }

  /** Reads bytes straight from the device, before the block size is known. */
  static ByteBuffer readRaw(BlockDevice device, long byteOffset, int length) throws IOException {
    ByteBuffer mem = ByteBuffer.allocateDirect(Folio.PAGE_SIZE);
    Folio page = new Folio(null, 0, mem);
    Bio bio = new Bio(device, BioOp.READ, Set.of(), 1);
    bio.setSector(byteOffset / BlockDevice.SECTOR_SIZE);
    bio.addFolio(page, length, 0);
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    device.submit(bio);
    BlockStatus status;
    try {
      status = done.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while reading the superblock", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(device.name() + ": no answer reading the superblock", e);
    }
    if (!status.isOk()) {
      throw new BlockIOException(device.name(), BioOp.READ, bio.sector(), status);
    }
    return mem.slice(0, length);
  }

  private GroupDesc[] readGroupDescriptors() throws IOException {
    if (sb.groupsCount > Integer.MAX_VALUE / 2) {
      throw new CorruptFilesystemException("impossible group count " + sb.groupsCount, -1, 1);
    }
    int n = (int) sb.groupsCount;
    GroupDesc[] out = new GroupDesc[n];
    int perBlock = sb.blockSize / GroupDesc.SIZE;
    long first = sb.firstDataBlock + 1;
    for (int g = 0; g < n; g++) {
      long block = first + g / perBlock;
      checkBlock(block, -1, "group descriptor block");
      BufferHead bh = bc.bread(block);
      try {
        ByteBuffer d = bh.data().order(ByteOrder.LITTLE_ENDIAN);
        int off = (g % perBlock) * GroupDesc.SIZE;
        GroupDesc gd =
            new GroupDesc(
                Integer.toUnsignedLong(d.getInt(off)),
                Integer.toUnsignedLong(d.getInt(off + 4)),
                Integer.toUnsignedLong(d.getInt(off + 8)),
                Short.toUnsignedInt(d.getShort(off + 12)),
                Short.toUnsignedInt(d.getShort(off + 14)),
                Short.toUnsignedInt(d.getShort(off + 16)));
        checkDescriptor(g, gd);
        out[g] = gd;
      } finally {
        bh.put();
      }
    }
    return out;
  }

  /** Port of ext2_check_descriptors(), fs/ext2/super.c: bitmaps and table inside the group. */
  private void checkDescriptor(int g, GroupDesc gd) throws CorruptFilesystemException {
    long first = sb.firstDataBlock + (long) g * sb.blocksPerGroup;
    long last = first + sb.groupOfBlockCount(g) - 1;
    long tableBlocks = (sb.inodesPerGroup * sb.inodeSize + sb.blockSize - 1) / sb.blockSize;
    String where = "group descriptor " + g + ": ";
    if (gd.blockBitmap() < first || gd.blockBitmap() > last) {
      throw new CorruptFilesystemException(
          where + "block bitmap " + gd.blockBitmap() + " outside the group", -1, gd.blockBitmap());
    }
    if (gd.inodeBitmap() < first || gd.inodeBitmap() > last) {
      throw new CorruptFilesystemException(
          where + "inode bitmap " + gd.inodeBitmap() + " outside the group", -1, gd.inodeBitmap());
    }
    if (gd.inodeTable() < first || gd.inodeTable() + tableBlocks - 1 > last) {
      throw new CorruptFilesystemException(
          where + "inode table at " + gd.inodeTable() + " outside the group", -1, gd.inodeTable());
    }
    Ext2Geometry.checkOverlap(sb, g, gd, readOnly);
  }

  // ---- helpers used by get_block ----

  BlockDevice device() {
    return device;
  }

  boolean readOnly() {
    return readOnly;
  }

  /** A corruption found while working on {@code ino}: remembered so that a read can name it. */
  CorruptFilesystemException corrupt(String message, long ino, long block) {
    CorruptFilesystemException e = new CorruptFilesystemException(message, ino, block);
    if (ino >= 0) {
      corruption.put(ino, e);
    }
    return e;
  }

  void checkBlock(long block, long ino, String what) throws CorruptFilesystemException {
    if (block < sb.firstDataBlock || block >= sb.blocksCount) {
      throw corrupt(what + " " + block + " outside the filesystem", ino, block);
    }
  }

  /** One 32-bit pointer of an indirect block. */
  long readPointer(long block, int slot) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      return Integer.toUnsignedLong(bh.getIntLE(slot * 4));
    } finally {
      bh.put();
    }
  }

  /**
   * How many of the {@code limit} pointers from {@code slot} of indirect block {@code block} run on
   * from {@code ptr} (ptr, ptr+1, ...): read in place, with no copy of the block.
   */
  int contiguousPointers(long block, int slot, long ptr, int limit) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      int count = 1;
      while (count < limit
          && Integer.toUnsignedLong(bh.getIntLE((slot + count) * 4)) == ptr + count) {
        count++;
      }
      return count;
    } finally {
      bh.put();
    }
  }

  long[] readPointers(long block, long ino) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      return Ext2GetBlock.pointers(bh.data());
    } finally {
      bh.put();
    }
  }

  // ---- locking and metadata writes ----

  void lock() {
    fsLock.lock();
  }

  void unlock() {
    fsLock.unlock();
  }

  Ext2Alloc alloc() {
    return alloc;
  }

  GroupDesc group(long g) {
    return groups[(int) g];
  }

  void groupChanged(long g) {
    dirtyGroups.add(g);
    superDirty = true;
  }

  void inodeChanged(Ext2Inode ei) {
    ei.dirty = true;
    dirtyInodes.add(ei);
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** A goal for a file with no blocks yet: a spot in its inode's group, coloured by number. */
  long colourGoal(long ino) {
    long g = (ino - 1) / sb.inodesPerGroup;
    return alloc.groupStart(g) + (ino % 16) * (sb.blocksPerGroup / 16);
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
      bh.set(org.mpage.api.page.BhState.UPTODATE);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  /** Sets slot {@code slot} of level {@code level} of a branch to {@code value}. */
  void setPointer(Ext2Inode ei, long[] chain, int level, int slot, long value) throws IOException {
    if (level == 0) {
      ei.block[slot] = value;
      inodeChanged(ei);
      return;
    }
    BufferHead bh = bc.bread(chain[level - 1]);
    try {
      bh.data().order(ByteOrder.LITTLE_ENDIAN).putInt(slot * 4, (int) value);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  /** Writes an inode into its inode table block (in the buffer cache). Holds the lock. */
  private void writeInode(Ext2Inode ei) throws IOException {
    long group = (ei.ino - 1) / sb.inodesPerGroup;
    long byteOffset = ((ei.ino - 1) % sb.inodesPerGroup) * sb.inodeSize;
    long block = groups[(int) group].inodeTable() + byteOffset / sb.blockSize;
    BufferHead bh = bc.bread(block);
    try {
      ei.writeTo(bh.data(), (int) (byteOffset % sb.blockSize));
      bc.markBufferDirty(bh);
      ei.dirty = false;
    } finally {
      bh.put();
    }
  }

  /** Writes the superblock and changed group descriptors into the buffer cache. */
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
          device.name()
              + ": writing metadata failed: "
              + org.mpage.api.page.WritebackException.errnoName(err));
    }
    flushDevice();
  }

  private void flushDevice() throws IOException {
    BlockStatus st = engine.flush(device);
    if (!st.isOk()) {
      throw new BlockIOException(device.name(), BioOp.FLUSH, 0, st);
    }
  }

  private void checkWritable(String path) throws IOException {
    if (readOnly) {
      throw new FileSystemException(path, null, "read-only file system");
    }
  }

  // ---- inodes ----

  /** Port of ext2_iget(), fs/ext2/inode.c: the parsed, checked inode {@code ino}. */
  Ext2Inode iget(long ino) throws IOException {
    Ext2Inode cached = inodes.get(ino);
    if (cached != null) {
      return cached;
    }
    if ((ino != ROOT_INO && ino < sb.firstIno) || ino < 1 || ino > sb.inodesCount) {
      throw corrupt("bad inode number " + ino, ino, -1);
    }
    long group = (ino - 1) / sb.inodesPerGroup;
    long index = (ino - 1) % sb.inodesPerGroup;
    long byteOffset = index * sb.inodeSize;
    long block = groups[(int) group].inodeTable() + byteOffset / sb.blockSize;
    BufferHead bh = bc.bread(block);
    Ext2Inode inode;
    try {
      inode =
          new Ext2Inode(
              ino,
              sb.blockBits(),
              bh.data(),
              (int) (byteOffset % sb.blockSize),
              sb.inodeSize,
              sb.revLevel > 0);
    } finally {
      bh.put();
    }
    if (inode.links == 0 && (inode.mode == 0 || inode.dtime != 0)) {
      throw corrupt("deleted inode referenced", ino, block);
    }
    long maxBytes = Ext2GetBlock.maxBlocks(sb.blockBits()) << sb.blockBits();
    if (inode.size() < 0 || inode.size() > maxBytes) {
      throw corrupt("size " + inode.size() + " larger than the largest possible file", ino, -1);
    }
    if (inode.isDir() && inode.size() > sb.blocksCount * sb.blockSize) {
      throw corrupt("directory size " + inode.size() + " larger than the filesystem", ino, -1);
    }
    Ext2Inode prev = inodes.putIfAbsent(ino, inode);
    return prev != null ? prev : inode;
  }

  // ---- directories ----

  /**
   * Every used entry of a directory, in on-disk order. Holds the filesystem lock: directory blocks
   * change under it, and a reader must never parse an entry half rewritten.
   */
  List<DirEntries.Raw> readDir(Ext2Inode dir) throws IOException {
    lock();
    try {
      return readDirLocked(dir);
    } finally {
      unlock();
    }
  }

  private List<DirEntries.Raw> readDirLocked(Ext2Inode dir) throws IOException {
    if (!dir.isDir()) {
      throw new IllegalArgumentException("not a directory: inode " + dir.ino);
    }
    if (dir.size() % sb.blockSize != 0) {
      throw corrupt(
          "directory size " + dir.size() + " is not a multiple of the block size", dir.ino, -1);
    }
    long nblocks = dir.size() / sb.blockSize;
    List<DirEntries.Raw> out = new ArrayList<>();
    BufferHead map = new BufferHead();
    for (long b = 0; b < nblocks; b++) {
      map.clearState();
      map.setSize(sb.blockSize);
      getBlock.getBlock(dir, b, map, false);
      if (!map.isMapped()) {
        throw corrupt("directory has a hole at block " + b, dir.ino, -1);
      }
      BufferHead bh = bc.bread(map.blocknr());
      try {
        DirEntries.parse(bh.data(), sb, dir.ino, b, map.blocknr(), out);
      } finally {
        bh.put();
      }
    }
    return out;
  }

  private long lookup(Ext2Inode dir, String name) throws IOException {
    Map<String, Long> names = dcache.get(dir.ino);
    if (names == null) {
      // Filled under the lock, so no entry added meanwhile can be missed.
      lock();
      try {
        names = dcache.get(dir.ino);
        if (names == null) {
          names = new ConcurrentHashMap<>();
          for (DirEntries.Raw e : readDirLocked(dir)) {
            names.putIfAbsent(new String(e.name(), StandardCharsets.ISO_8859_1), e.ino());
          }
          dcache.put(dir.ino, names);
        }
      } finally {
        unlock();
      }
    }
    String key = dcacheKey(name);
    Long ino = names.get(key);
    return ino == null ? -1 : ino;
  }

  /** Resolves {@code path} from the root, following symbolic links (the last one if asked). */
  Ext2Inode resolve(String path, boolean followFinal) throws IOException {
    Deque<String> parts = split(path);
    Ext2Inode cur = iget(ROOT_INO);
    int links = 0;
    while (!parts.isEmpty()) {
      String name = parts.pollFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (!cur.isDir()) {
        throw new NotDirectoryException(path);
      }
      long ino = lookup(cur, name);
      if (ino < 0) {
        throw new NoSuchFileException(path);
      }
      Ext2Inode next = iget(ino);
      if (next.isSymlink() && (!parts.isEmpty() || followFinal)) {
        if (++links > MAX_SYMLINKS) {
          throw new FileSystemLoopException(path);
        }
        String target = readLink(next);
        Deque<String> t = split(target);
        while (!t.isEmpty()) {
          parts.addFirst(t.pollLast());
        }
        if (target.startsWith("/")) {
          cur = iget(ROOT_INO);
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

  /** The key of a name in the dentry cache: its exact bytes, one char per byte. */
  private static String dcacheKey(String name) {
    try {
      return new String(Names.toBytes(name), StandardCharsets.ISO_8859_1);
    } catch (IllegalArgumentException e) {
      return "\0"; // names no byte sequence, so no entry has it (a NUL is never in a name)
    }
  }

  /** The on-disk bytes of a name or link target given to the api. */
  private static byte[] nameBytes(String path, String name) throws FileSystemException {
    try {
      return Names.toBytes(name);
    } catch (IllegalArgumentException e) {
      throw new FileSystemException(path, null, "invalid name (unpaired surrogate)");
    }
  }

  private static boolean isDotOrDotDot(byte[] name) {
    return (name.length == 1 && name[0] == '.')
        || (name.length == 2 && name[0] == '.' && name[1] == '.');
  }

  /** The target of a symlink inode: in the block map (fast) or in its first block (slow). */
  String readLink(Ext2Inode link) throws IOException {
    long size = link.size();
    if (link.isFastSymlink()) {
      if (size >= FAST_SYMLINK_MAX) {
        throw corrupt("fast symlink of size " + size, link.ino, -1);
      }
      return Names.fromBytes(link.blockBytes, 0, (int) size);
    }
    if (size >= sb.blockSize) {
      throw corrupt("symlink of size " + size + " does not fit its block", link.ino, -1);
    }
    BufferHead map = new BufferHead();
    map.setSize(sb.blockSize);
    getBlock.getBlock(link, 0, map, false);
    if (!map.isMapped()) {
      throw corrupt("symlink without its data block", link.ino, -1);
    }
    BufferHead bh = bc.bread(map.blocknr());
    try {
      byte[] target = new byte[(int) size];
      bh.data().get(target);
      return Names.fromBytes(target);
    } finally {
      bh.put();
    }
  }

  // ---- FileSystem ----

  /** Runs an operation; a runtime failure (a bug or an unforeseen corruption) becomes an error. */
  private <T> T guard(String path, IoCall<T> call) throws IOException {
    if (closed) {
      throw new IOException("filesystem on " + device.name() + " is unmounted");
    }
    try {
      return call.call();
    } catch (RuntimeException | StackOverflowError e) {
      LOG.error("unexpected failure on {} in {}", path, device.name(), e);
      CorruptFilesystemException c =
          new CorruptFilesystemException(path + ": unexpected error: " + e, -1, -1);
      c.initCause(e);
      throw c;
    }
  }

  @FunctionalInterface
  private interface IoCall<T> {
    T call() throws IOException;
  }

  /** A change of the namespace: checked for a writable mount, run under the filesystem lock. */
  private <T> T mutate(String path, IoCall<T> change) throws IOException {
    return guard(
        path,
        () -> {
          checkWritable(path);
          lock();
          try {
            return change.call();
          } finally {
            unlock();
          }
        });
  }

  @Override
  public FsInfo info() {
    return new FsInfo(
        "ext2",
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
        readOnly);
  }

  @Override
  public FileStat stat(String path) throws IOException {
    return guard(path, () -> toStat(resolve(path, true)));
  }

  @Override
  public FileStat lstat(String path) throws IOException {
    return guard(path, () -> toStat(resolve(path, false)));
  }

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
        i.ctime);
  }

  @Override
  public List<DirEntry> list(String path) throws IOException {
    return guard(
        path,
        () -> {
          Ext2Inode dir = resolve(path, true);
          if (!dir.isDir()) {
            throw new NotDirectoryException(path);
          }
          List<DirEntry> out = new ArrayList<>();
          boolean types = sb.hasIncompat(Ext2Features.INCOMPAT_FILETYPE);
          for (DirEntries.Raw e : readDir(dir)) {
            if (isDotOrDotDot(e.name())) {
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
    return guard(
        path,
        () -> {
          Ext2Inode link = resolve(path, false);
          if (!link.isSymlink()) {
            throw new FileSystemException(path, null, "not a symbolic link");
          }
          return readLink(link);
        });
  }

  @Override
  public FileHandle open(String path) throws IOException {
    return guard(
        path,
        () -> {
          Ext2Inode inode = resolve(path, true);
          if (inode.isDir()) {
            throw new FileSystemException(path, null, "is a directory");
          }
          if (!inode.isRegular()) {
            throw new FileSystemException(path, null, "not a regular file");
          }
          return new Ext2FileHandle(this, path, inode, cachedData(path, inode).open());
        });
  }

  /** The first block at or after {@code from} that is mapped (or a hole), -1 if none. */
  long seekBlock(Ext2Inode inode, long from, boolean wantData) throws IOException {
    return getBlock.seek(inode, from, wantData);
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

  /** The corruption last found in {@code ino}'s mapping, if any. */
  CorruptFilesystemException corruptionOf(long ino) {
    return corruption.get(ino);
  }

  @Override
  public void sync() throws IOException {
    if (closed) {
      throw new IOException("filesystem on " + device.name() + " is unmounted");
    }
    if (readOnly) {
      return;
    }
    IOException first = null;
    for (CachedFileData data : files.values()) {
      try (FileHandle h = data.open()) {
        h.fsync();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    syncMetadata();
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    IOException failure = null;
    if (!readOnly) {
      try {
        sync();
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
      } catch (IOException e) {
        failure = e;
      }
    }
    closed = true;
    for (CachedFileData data : files.values()) {
      data.dropPages(0);
    }
    files.clear();
    inodes.clear();
    dcache.clear();
    engine.forgetDevice(device);
    if (failure != null) {
      throw failure;
    }
  }

  // ---- the write half: names ----

  /** A parent directory and a name in it. */
  private static final class Place {
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

    /** The name's on-disk bytes. */
    byte[] bytes() {
      return bytes;
    }
  }

  private Place place(String path) throws IOException {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    String parent = slash <= 0 ? "/" : p.substring(0, slash);
    String name = p.substring(slash + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
      throw new FileSystemException(path, null, "invalid name");
    }
    byte[] bytes = nameBytes(path, name);
    if (bytes.length > 255) {
      throw new FileSystemException(path, null, "file name too long");
    }
    Ext2Inode dir = resolve(parent, true);
    if (!dir.isDir()) {
      throw new NotDirectoryException(parent);
    }
    return new Place(dir, name, bytes);
  }

  private static int fileTypeCode(Ext2Inode i) {
    return switch (i.type()) {
      case REGULAR -> 1;
      case DIRECTORY -> 2;
      case CHAR_DEVICE -> 3;
      case BLOCK_DEVICE -> 4;
      case FIFO -> 5;
      case SOCKET -> 6;
      case SYMLINK -> 7;
      default -> 0;
    };
  }

  private long mapDirBlock(Ext2Inode dir, long b, boolean create) throws IOException {
    BufferHead map = new BufferHead();
    map.setSize(sb.blockSize);
    getBlock.getBlock(dir, b, map, create);
    if (!map.isMapped()) {
      throw corrupt("directory has a hole at block " + b, dir.ino, -1);
    }
    return map.blocknr();
  }

  private void writeEntry(ByteBuffer d, int offs, long ino, int recLen, byte[] name, int type) {
    ByteBuffer b = d.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(offs, (int) ino);
    b.putShort(offs + 4, (short) recLen);
    b.put(offs + 6, (byte) name.length);
    b.put(offs + 7, sb.hasIncompat(Ext2Features.INCOMPAT_FILETYPE) ? (byte) type : 0);
    b.put(offs + 8, name);
  }

  /** Port of ext2_add_link(): into free space of an existing block, else a new block. */
  private void addEntry(Ext2Inode dir, byte[] name, Ext2Inode target) throws IOException {
    int need = DirEntries.recLen(name.length);
    long nblocks = dir.size() / sb.blockSize;
    for (long b = 0; b < nblocks; b++) {
      long phys = mapDirBlock(dir, b, false);
      BufferHead bh = bc.bread(phys);
      try {
        ByteBuffer d = bh.data().order(ByteOrder.LITTLE_ENDIAN);
        DirEntries.parse(d, sb, dir.ino, b, phys, new ArrayList<>()); // validates the block
        int offs = 0;
        while (offs < sb.blockSize) {
          long ino = Integer.toUnsignedLong(d.getInt(offs));
          int recLen = Short.toUnsignedInt(d.getShort(offs + 4));
          int nameLen = Byte.toUnsignedInt(d.get(offs + 6));
          int used = DirEntries.recLen(nameLen);
          if (ino == 0 && recLen >= need) {
            writeEntry(d, offs, target.ino, recLen, name, fileTypeCode(target));
            bc.markBufferDirty(bh);
            entryAdded(dir, name, target.ino);
            return;
          }
          if (ino != 0 && recLen >= used + need) {
            d.putShort(offs + 4, (short) used);
            writeEntry(d, offs + used, target.ino, recLen - used, name, fileTypeCode(target));
            bc.markBufferDirty(bh);
            entryAdded(dir, name, target.ino);
            return;
          }
          offs += recLen;
        }
      } finally {
        bh.put();
      }
    }
    long phys = mapDirBlock(dir, nblocks, true);
    ByteBuffer block = ByteBuffer.allocate(sb.blockSize);
    writeEntry(block, 0, target.ino, sb.blockSize, name, fileTypeCode(target));
    writeNewBlock(phys, block);
    dir.setSize(dir.size() + sb.blockSize);
    entryAdded(dir, name, target.ino);
  }

  private void entryAdded(Ext2Inode dir, byte[] name, long ino) {
    dir.mtime = now();
    dir.ctime = dir.mtime;
    dir.flags &= ~Ext2Inode.INDEX_FL; // a changed indexed directory is read linearly from now on
    inodeChanged(dir);
    Map<String, Long> names = dcache.get(dir.ino);
    if (names != null) {
      names.put(new String(name, StandardCharsets.ISO_8859_1), ino);
    }
  }

  /** Port of ext2_delete_entry(): merges the entry into the one before it. */
  private void removeEntry(Ext2Inode dir, byte[] name) throws IOException {
    long nblocks = dir.size() / sb.blockSize;
    for (long b = 0; b < nblocks; b++) {
      long phys = mapDirBlock(dir, b, false);
      BufferHead bh = bc.bread(phys);
      try {
        ByteBuffer d = bh.data().order(ByteOrder.LITTLE_ENDIAN);
        DirEntries.parse(d, sb, dir.ino, b, phys, new ArrayList<>());
        int offs = 0;
        int prev = -1;
        while (offs < sb.blockSize) {
          long ino = Integer.toUnsignedLong(d.getInt(offs));
          int recLen = Short.toUnsignedInt(d.getShort(offs + 4));
          int nameLen = Byte.toUnsignedInt(d.get(offs + 6));
          if (ino != 0 && nameLen == name.length) {
            byte[] n = new byte[nameLen];
            d.get(offs + 8, n);
            if (Arrays.equals(n, name)) {
              if (prev >= 0) {
                int prevLen = Short.toUnsignedInt(d.getShort(prev + 4));
                d.putShort(prev + 4, (short) (prevLen + recLen));
              } else {
                d.putInt(offs, 0);
              }
              bc.markBufferDirty(bh);
              dir.mtime = now();
              dir.ctime = dir.mtime;
              dir.flags &= ~Ext2Inode.INDEX_FL;
              inodeChanged(dir);
              Map<String, Long> names = dcache.get(dir.ino);
              if (names != null) {
                names.remove(new String(name, StandardCharsets.ISO_8859_1));
              }
              return;
            }
          }
          prev = offs;
          offs += recLen;
        }
      } finally {
        bh.put();
      }
    }
    throw corrupt("directory entry vanished during removal", dir.ino, -1);
  }

  /** Points the ".." entry of {@code dir} at {@code parent}. */
  private void setDotDot(Ext2Inode dir, long parent) throws IOException {
    long phys = mapDirBlock(dir, 0, false);
    BufferHead bh = bc.bread(phys);
    try {
      ByteBuffer d = bh.data().order(ByteOrder.LITTLE_ENDIAN);
      int first = Short.toUnsignedInt(d.getShort(4));
      if (first >= sb.blockSize || d.get(first + 8) != '.' || d.get(first + 9) != '.') {
        throw corrupt("directory without a '..' entry", dir.ino, phys);
      }
      d.putInt(first, (int) parent);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
    Map<String, Long> names = dcache.get(dir.ino);
    if (names != null) {
      names.put("..", parent);
    }
  }

  private Ext2Inode newInode(Ext2Inode parent, int mode) throws IOException {
    boolean dir = (mode & Ext2Inode.S_IFMT) == Ext2Inode.S_IFDIR;
    long ino = alloc.allocInode(parent.ino, dir);
    Ext2Inode ei = new Ext2Inode(ino, sb.blockBits(), sb.inodeSize);
    ei.mode = mode;
    ei.links = 1;
    long t = now();
    ei.atime = t;
    ei.ctime = t;
    ei.mtime = t;
    ei.generation = ino;
    inodes.put(ino, ei);
    dcache.remove(ino);
    corruption.remove(ino);
    inodeChanged(ei);
    return ei;
  }

  private Ext2Inode create(Place at, int mode) throws IOException {
    if (lookup(at.dir(), at.name()) >= 0) {
      throw new java.nio.file.FileAlreadyExistsException(at.name());
    }
    Ext2Inode ei = newInode(at.dir(), mode);
    try {
      addEntry(at.dir(), at.bytes(), ei);
    } catch (IOException e) {
      ei.links = 0;
      deleteInode(ei);
      throw e;
    }
    return ei;
  }

  /** Frees an inode whose last link is gone, with its blocks. Holds the lock. */
  private void deleteInode(Ext2Inode ei) throws IOException {
    if (!ei.isFastSymlink()) {
      new Ext2Truncate(this, bc, ei).freeFrom(0);
    }
    ei.setSize(0);
    ei.dtime = now();
    ei.links = 0;
    alloc.freeInode(ei.ino, ei.isDir());
    alloc.discardWindow(ei.ino);
    writeInode(ei);
    dirtyInodes.remove(ei);
    inodes.remove(ei.ino);
    dcache.remove(ei.ino);
  }

  private void dropFileCache(long ino) {
    CachedFileData data = files.remove(ino);
    if (data != null) {
      data.dropPages(0);
    }
  }

  @Override
  public FileHandle openWrite(String path, boolean create, boolean truncate, int permissions)
      throws IOException {
    return guard(
        path,
        () -> {
          checkWritable(path);
          Ext2Inode inode;
          lock();
          try {
            Place at = place(path);
            long ino = lookup(at.dir(), at.name());
            if (ino < 0) {
              if (!create) {
                throw new NoSuchFileException(path);
              }
              inode = create(at, Ext2Inode.S_IFREG | (permissions & 07777));
            } else {
              inode = resolve(path, true);
            }
          } finally {
            unlock();
          }
          if (inode.isDir()) {
            throw new FileSystemException(path, null, "is a directory");
          }
          if (!inode.isRegular()) {
            throw new FileSystemException(path, null, "not a regular file");
          }
          if (truncate && inode.size() > 0) {
            truncateInode(path, inode, 0);
          }
          return new Ext2FileHandle(this, path, inode, cachedData(path, inode).open());
        });
  }

  private CachedFileData cachedData(String path, Ext2Inode inode) {
    return files.computeIfAbsent(
        inode.ino,
        ino ->
            readOnly
                ? engine.cachedFile(path, inode, getBlock, device.name())
                : engine.cachedFileAllocatingOnWrite(path, inode, getBlock, device.name()));
  }

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
    lock();
    try {
      sb.featureRoCompat |= Ext2Features.RO_COMPAT_LARGE_FILE;
      superDirty = true;
    } finally {
      unlock();
    }
  }

  @Override
  public void mkdir(String path, int permissions) throws IOException {
    mutate(
        path,
        () -> {
          Place at = place(path);
          if (lookup(at.dir(), at.name()) >= 0) {
            throw new java.nio.file.FileAlreadyExistsException(path);
          }
          Ext2Inode dir = newInode(at.dir(), Ext2Inode.S_IFDIR | (permissions & 07777));
          try {
            long phys = mapDirBlock(dir, 0, true);
            ByteBuffer block = ByteBuffer.allocate(sb.blockSize);
            writeEntry(block, 0, dir.ino, 12, new byte[] {'.'}, 2);
            writeEntry(block, 12, at.dir().ino, sb.blockSize - 12, new byte[] {'.', '.'}, 2);
            writeNewBlock(phys, block);
            dir.setSize(sb.blockSize);
            dir.links = 2;
            addEntry(at.dir(), at.bytes(), dir);
          } catch (IOException e) {
            dir.links = 0;
            deleteInode(dir);
            throw e;
          }
          at.dir().links++;
          inodeChanged(at.dir());
          return null;
        });
  }

  @Override
  public void unlink(String path) throws IOException {
    guard(
        path,
        () -> {
          checkWritable(path);
          Ext2Inode victim;
          lock();
          try {
            Place at = place(path);
            long ino = lookup(at.dir(), at.name());
            if (ino < 0) {
              throw new NoSuchFileException(path);
            }
            victim = iget(ino);
            if (victim.isDir()) {
              throw new FileSystemException(path, null, "is a directory");
            }
            removeEntry(at.dir(), at.bytes());
            victim.links--;
            victim.ctime = now();
            inodeChanged(victim);
          } finally {
            unlock();
          }
          if (victim.links == 0) {
            dropFileCache(victim.ino);
            lock();
            try {
              deleteInode(victim);
            } finally {
              unlock();
            }
          }
          return null;
        });
  }

  @Override
  public void rmdir(String path) throws IOException {
    mutate(
        path,
        () -> {
          Place at = place(path);
          long ino = lookup(at.dir(), at.name());
          if (ino < 0) {
            throw new NoSuchFileException(path);
          }
          Ext2Inode dir = iget(ino);
          if (!dir.isDir()) {
            throw new NotDirectoryException(path);
          }
          removeDirectory(at, dir, path);
          return null;
        });
  }

  private void removeDirectory(Place at, Ext2Inode dir, String path) throws IOException {
    for (DirEntries.Raw e : readDir(dir)) {
      if (!isDotOrDotDot(e.name())) {
        throw new java.nio.file.DirectoryNotEmptyException(path);
      }
    }
    removeEntry(at.dir(), at.bytes());
    at.dir().links--;
    inodeChanged(at.dir());
    dir.links = 0;
    deleteInode(dir);
  }

  @Override
  public void rename(String from, String to) throws IOException {
    guard(
        from,
        () -> {
          checkWritable(from);
          Ext2Inode replaced = null;
          lock();
          try {
            Place src = place(from);
            long ino = lookup(src.dir(), src.name());
            if (ino < 0) {
              throw new NoSuchFileException(from);
            }
            Ext2Inode moving = iget(ino);
            Place dst = place(to);
            if (moving.isDir()) {
              // Refuse to move a directory into itself or below it.
              for (Ext2Inode d = dst.dir(); ; ) {
                if (d.ino == moving.ino) {
                  throw new FileSystemException(from, to, "cannot move a directory into itself");
                }
                if (d.ino == ROOT_INO) {
                  break;
                }
                long up = lookup(d, "..");
                if (up < 0 || up == d.ino) {
                  break;
                }
                d = iget(up);
              }
            }
            long existing = lookup(dst.dir(), dst.name());
            if (existing == moving.ino) {
              return null; // the same file: nothing to do
            }
            if (existing >= 0) {
              Ext2Inode target = iget(existing);
              if (moving.isDir()) {
                if (!target.isDir()) {
                  throw new NotDirectoryException(to);
                }
                removeDirectory(dst, target, to);
              } else {
                if (target.isDir()) {
                  throw new FileSystemException(to, null, "is a directory");
                }
                removeEntry(dst.dir(), dst.bytes());
                target.links--;
                target.ctime = now();
                inodeChanged(target);
                if (target.links == 0) {
                  replaced = target;
                }
              }
            }
            addEntry(dst.dir(), dst.bytes(), moving);
            removeEntry(src.dir(), src.bytes());
            moving.ctime = now();
            inodeChanged(moving);
            if (moving.isDir() && src.dir().ino != dst.dir().ino) {
              setDotDot(moving, dst.dir().ino);
              src.dir().links--;
              dst.dir().links++;
              inodeChanged(src.dir());
              inodeChanged(dst.dir());
            }
          } finally {
            unlock();
          }
          if (replaced != null) {
            dropFileCache(replaced.ino);
            lock();
            try {
              deleteInode(replaced);
            } finally {
              unlock();
            }
          }
          return null;
        });
  }

  @Override
  public void link(String target, String path) throws IOException {
    mutate(
        path,
        () -> {
          Ext2Inode t = resolve(target, false);
          if (t.isDir()) {
            throw new FileSystemException(
                target, null, "hard links to directories are not allowed");
          }
          if (t.links >= 32000) {
            throw new FileSystemException(target, null, "too many links");
          }
          Place at = place(path);
          if (lookup(at.dir(), at.name()) >= 0) {
            throw new java.nio.file.FileAlreadyExistsException(path);
          }
          addEntry(at.dir(), at.bytes(), t);
          t.links++;
          t.ctime = now();
          inodeChanged(t);
          return null;
        });
  }

  @Override
  public void symlink(String target, String path) throws IOException {
    guard(
        path,
        () -> {
          checkWritable(path);
          byte[] bytes = nameBytes(path, target);
          if (bytes.length == 0 || bytes.length >= sb.blockSize) {
            throw new FileSystemException(
                path, null, "symlink target of " + bytes.length + " bytes");
          }
          lock();
          try {
            Place at = place(path);
            if (lookup(at.dir(), at.name()) >= 0) {
              throw new java.nio.file.FileAlreadyExistsException(path);
            }
            Ext2Inode link = newInode(at.dir(), Ext2Inode.S_IFLNK | 0777);
            try {
              if (bytes.length < FAST_SYMLINK_MAX) {
                System.arraycopy(bytes, 0, link.blockBytes, 0, bytes.length);
                link.setSize(bytes.length);
              } else {
                long phys = mapDirBlock(link, 0, true);
                writeNewBlock(phys, ByteBuffer.wrap(Arrays.copyOf(bytes, sb.blockSize)));
                link.setSize(bytes.length);
              }
              addEntry(at.dir(), at.bytes(), link);
            } catch (IOException e) {
              link.links = 0;
              deleteInode(link);
              throw e;
            }
            return null;
          } finally {
            unlock();
          }
        });
  }

  @Override
  public void truncate(String path, long size) throws IOException {
    guard(
        path,
        () -> {
          checkWritable(path);
          if (size < 0) {
            throw new FileSystemException(path, null, "negative size");
          }
          Ext2Inode inode = resolve(path, true);
          if (!inode.isRegular()) {
            throw new FileSystemException(path, null, "not a regular file");
          }
          truncateInode(path, inode, size);
          return null;
        });
  }

  /**
   * Sets a file's size: the page cache drops what is beyond and zeroes the tail of the last page
   * (the kernel's truncate_setsize), then the blocks beyond are freed (ext2_truncate_blocks). A
   * grown file gets a hole.
   */
  private void truncateInode(String path, Ext2Inode inode, long size) throws IOException {
    allowSize(path, size);
    long old = inode.size();
    CachedFileData data = cachedData(path, inode);
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
    lock();
    try {
      if (size < old) {
        new Ext2Truncate(this, bc, inode).freeFrom((size + sb.blockSize - 1) / sb.blockSize);
        inode.lastAllocLogical = -1;
        alloc.discardWindow(inode.ino);
      }
      inode.setSize(size);
      inode.mtime = now();
      inode.ctime = inode.mtime;
      inodeChanged(inode);
    } finally {
      unlock();
    }
  }

  /**
   * A write stopped part way (ENOSPC): blocks it allocated past the file's end are freed again, as
   * the kernel's {@code ext2_write_failed} does, so no block lies beyond i_size.
   */
  void writeFailed(String path, Ext2Inode inode) throws IOException {
    long size = inode.size();
    cachedData(path, inode).truncate(size);
    lock();
    try {
      new Ext2Truncate(this, bc, inode).freeFrom((size + sb.blockSize - 1) / sb.blockSize);
      inode.lastAllocLogical = -1;
      alloc.discardWindow(inode.ino);
      inodeChanged(inode);
    } finally {
      unlock();
    }
  }

  @Override
  public void setAttributes(String path, int permissions, long mtime) throws IOException {
    mutate(
        path,
        () -> {
          Ext2Inode inode = resolve(path, false);
          inode.mode = (inode.mode & Ext2Inode.S_IFMT) | (permissions & 07777);
          inode.mtime = mtime;
          inode.ctime = now();
          inodeChanged(inode);
          return null;
        });
  }

  Ext2Superblock superblock() {
    return sb;
  }
}
