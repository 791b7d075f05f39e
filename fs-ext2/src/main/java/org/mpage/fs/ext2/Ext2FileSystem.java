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
import java.util.Deque;
import java.util.HashMap;
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
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
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

  private Ext2FileSystem(
      BlockDevice device, StorageEngine engine, Ext2Superblock sb, MountOptions options)
      throws IOException {
    this.device = device;
    this.engine = engine;
    this.sb = sb;
    this.readOnly = true; // the write path comes with its own issue
    this.getBlock = new Ext2GetBlock(this, !"off".equals(options.option("boundary", "on")));
    this.bc = engine.bufferCache(device, sb.blockSize);
    this.groups = readGroupDescriptors();
  }

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
    Ext2FileSystem fs = new Ext2FileSystem(device, engine, sb, options);
    Ext2Inode root = fs.iget(ROOT_INO);
    if (!root.isDir()) {
      throw new CorruptFilesystemException("the root inode is not a directory", ROOT_INO, -1);
    }
    return fs;
  }

  /** Reads bytes straight from the device, before the block size is known. */
  private static ByteBuffer readRaw(BlockDevice device, long byteOffset, int length)
      throws IOException {
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

  long[] readPointers(long block, long ino) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      return Ext2GetBlock.pointers(bh.data());
    } finally {
      bh.put();
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
              ino, sb.blockBits(), bh.data(), (int) (byteOffset % sb.blockSize), sb.revLevel > 0);
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

  /** Every used entry of a directory, in on-disk order. */
  List<DirEntries.Raw> readDir(Ext2Inode dir) throws IOException {
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
      names = new HashMap<>();
      for (DirEntries.Raw e : readDir(dir)) {
        names.putIfAbsent(new String(e.name(), StandardCharsets.ISO_8859_1), e.ino());
      }
      dcache.put(dir.ino, names);
    }
    String key = new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
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
    for (String p : path.split("/")) {
      if (!p.isEmpty()) {
        parts.addLast(p);
      }
    }
    return parts;
  }

  /** The target of a symlink inode: in the block map (fast) or in its first block (slow). */
  String readLink(Ext2Inode link) throws IOException {
    long size = link.size();
    if (link.isFastSymlink()) {
      if (size >= FAST_SYMLINK_MAX) {
        throw corrupt("fast symlink of size " + size, link.ino, -1);
      }
      return new String(link.blockBytes, 0, (int) size, StandardCharsets.UTF_8);
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
      return new String(target, StandardCharsets.UTF_8);
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
            String name = new String(e.name(), StandardCharsets.UTF_8);
            if (name.equals(".") || name.equals("..")) {
              continue;
            }
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
          CachedFileData data =
              files.computeIfAbsent(
                  inode.ino, ino -> engine.cachedFile(path, inode, getBlock, device.name()));
          return new Ext2FileHandle(this, path, inode, data.open());
        });
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
    // Nothing is ever dirty on a read-only mount.
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (CachedFileData data : files.values()) {
      data.dropPages(0);
    }
    files.clear();
    inodes.clear();
    dcache.clear();
    engine.forgetDevice(device);
  }

  Ext2Superblock superblock() {
    return sb;
  }
}
