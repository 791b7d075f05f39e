// fs/ext2/dir.c, with the dentry cache of fs/dcache.c for ext2's names
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.Names;
import org.mpage.api.page.BufferHead;
import org.mpage.fs.ext2.disk.DirEntries;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * ext2 directories: reading a directory's blocks through the buffer cache (each block checked as
 * {@code ext2_check_page} does), looking a name up, and adding, removing and repointing entries.
 * Directories are searched linearly; an indexed directory (INDEX_FL) that we change loses the flag,
 * so that a kernel with htree support does not trust an index we did not keep.
 *
 * <p>The dentry cache: the names of each directory read so far, by inode, so that lookups in large
 * directories do not rescan them for every name. Keys are the raw name bytes as ISO-8859-1 strings,
 * so every byte sequence compares exactly. Entries are added and removed with the directory's
 * blocks, under the filesystem lock.
 */
final class Ext2Dir {
  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final BufferCache bc;
  private final Ext2GetBlock getBlock;
  private final Ext4InlineData inline;
  private final ConcurrentHashMap<Long, Map<String, Long>> dcache = new ConcurrentHashMap<>();

  Ext2Dir(Ext2SbInfo fs, Ext2GetBlock getBlock, Ext4InlineData inline) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.bc = fs.bufferCache();
    this.getBlock = getBlock;
    this.inline = inline;
  }

  /**
   * Every used entry of a directory, in on-disk order. Holds the filesystem lock: directory blocks
   * change under it, and a reader must never parse an entry half rewritten.
   */
  List<DirEntries.Raw> readDir(Ext2Inode dir) throws IOException {
    fs.lock();
    try {
      return readDirLocked(dir);
    } finally {
      fs.unlock();
    }
  }

  // ext2_readdir, ext2_get_page and ext2_check_page
  private List<DirEntries.Raw> readDirLocked(Ext2Inode dir) throws IOException {
    if (!dir.isDir()) {
      throw new IllegalArgumentException("not a directory: inode " + dir.ino);
    }
    if (dir.hasInlineData()) {
      return inline.readDir(dir);
    }
    if (dir.size() % sb.blockSize != 0) {
      throw fs.corrupt(
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
        throw fs.corrupt("directory has a hole at block " + b, dir.ino, -1);
      }
      BufferHead bh = bc.bread(map.blocknr());
      try {
        fs.checksums().checkDirBlock(dir, b, map.blocknr(), bh.data());
        DirEntries.parse(bh.data(), sb, dir.ino, b, map.blocknr(), out);
      } finally {
        bh.put();
      }
    }
    return out;
  }

  // ext2_inode_by_name
  /**
   * The inode of {@code name} in {@code dir}, or -1: from the dentry cache, filled on first use.
   */
  long lookup(Ext2Inode dir, String name) throws IOException {
    Map<String, Long> names = dcache.get(dir.ino);
    if (names == null) {
      // Filled under the lock, so no entry added meanwhile can be missed.
      fs.lock();
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
        fs.unlock();
      }
    }
    String key = dcacheKey(name);
    Long ino = names.get(key);
    return ino == null ? -1 : ino;
  }

  /** The key of a name in the dentry cache: its exact bytes, one char per byte. */
  private static String dcacheKey(String name) {
    try {
      return new String(Names.toBytes(name), StandardCharsets.ISO_8859_1);
    } catch (IllegalArgumentException e) {
      return "\0"; // names no byte sequence, so no entry has it (a NUL is never in a name)
    }
  }

  static boolean isDotOrDotDot(byte[] name) {
    return (name.length == 1 && name[0] == '.')
        || (name.length == 2 && name[0] == '.' && name[1] == '.');
  }

  // ext2_empty_dir
  /** Whether {@code dir} holds nothing but "." and "..". */
  boolean isEmpty(Ext2Inode dir) throws IOException {
    for (DirEntries.Raw e : readDir(dir)) {
      if (!isDotOrDotDot(e.name())) {
        return false;
      }
    }
    return true;
  }

  /** Forgets the cached names of {@code ino} (a deleted directory, or an inode number reused). */
  void forget(long ino) {
    dcache.remove(ino);
  }

  /** Forgets every cached name (unmount). */
  void clear() {
    dcache.clear();
  }

  /** The disk block of directory block {@code b}, allocated if asked; a hole is a corruption. */
  long mapDirBlock(Ext2Inode dir, long b, boolean create) throws IOException {
    BufferHead map = new BufferHead();
    map.setSize(sb.blockSize);
    getBlock.getBlock(dir, b, map, create);
    if (!map.isMapped()) {
      throw fs.corrupt("directory has a hole at block " + b, dir.ino, -1);
    }
    return map.blocknr();
  }

  private void writeEntry(ByteBuffer d, int offs, long ino, int recLen, byte[] name, int type) {
    DirEntries.write(
        d, offs, ino, recLen, name, type, sb.hasIncompat(Ext2Features.INCOMPAT_FILETYPE));
  }

  // ext2_make_empty
  /** The first block of a new directory: "." and "..". Holds the lock. */
  void makeEmpty(Ext2Inode dir, long parentIno) throws IOException {
    long phys = mapDirBlock(dir, 0, true);
    ByteBuffer block = ByteBuffer.allocate(sb.blockSize);
    writeEntry(block, 0, dir.ino, 12, new byte[] {'.'}, 2);
    writeEntry(block, 12, parentIno, sb.blockSize - 12, new byte[] {'.', '.'}, 2);
    fs.writeNewBlock(phys, block);
    dir.setSize(sb.blockSize);
  }

  // ext2_add_link
  /** Adds an entry: into free space of an existing block, else a new block. Holds the lock. */
  long addEntry(Ext2Inode dir, byte[] name, Ext2Inode target) throws IOException {
    int need = DirEntries.recLen(name.length);
    int typeCode = DirEntries.code(target.type());
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
            orderNewEntry(target, phys);
            writeEntry(d, offs, target.ino, recLen, name, typeCode);
            bc.markBufferDirty(bh);
            entryAdded(dir, name, target.ino);
            return phys;
          }
          if (ino != 0 && recLen >= used + need) {
            orderNewEntry(target, phys);
            d.putShort(offs + 4, (short) used);
            writeEntry(d, offs + used, target.ino, recLen - used, name, typeCode);
            bc.markBufferDirty(bh);
            entryAdded(dir, name, target.ino);
            return phys;
          }
          offs += recLen;
        }
      } finally {
        bh.put();
      }
    }
    long phys = mapDirBlock(dir, nblocks, true);
    orderNewEntry(target, phys);
    ByteBuffer block = ByteBuffer.allocate(sb.blockSize);
    writeEntry(block, 0, target.ino, sb.blockSize, name, typeCode);
    fs.writeNewBlock(phys, block);
    // What points to the new block (the inode, or an indirect block past the direct area) waits.
    bc.orderBefore(phys, getBlock.pointerHolder(dir, nblocks));
    dir.setSize(dir.size() + sb.blockSize);
    entryAdded(dir, name, target.ino);
    return phys;
  }

  /**
   * An entry naming {@code target} is about to go into block {@code phys}: the inode must reach the
   * disk before that block, or a crash leaves an entry that e2fsck can only delete. The order soft
   * updates keep for a new link. A new directory's first block is not ordered before its inode:
   * that block holds the entries of the next level, so nested directories would make a chain as
   * long as the tree is deep, one flush per link; e2fsck rebuilds a missing "." and "..".
   */
  private void orderNewEntry(Ext2Inode target, long phys) throws IOException {
    fs.writeInode(target);
    bc.orderBefore(fs.inodeBlock(target.ino), phys);
  }

  /**
   * The entry naming {@code victim} is gone from block {@code phys}, and the inode is about to lose
   * a link and maybe be freed: the directory block must reach the disk first, or a crash leaves an
   * entry naming a freed inode.
   */
  void orderRemovedEntry(long phys, Ext2Inode victim) throws IOException {
    bc.orderBefore(phys, fs.inodeBlock(victim.ino));
  }

  private void entryAdded(Ext2Inode dir, byte[] name, long ino) {
    dirChanged(dir);
    Map<String, Long> names = dcache.get(dir.ino);
    if (names != null) {
      names.put(new String(name, StandardCharsets.ISO_8859_1), ino);
    }
  }

  /** A changed indexed directory is read linearly from now on: its index is not kept. */
  private void dirChanged(Ext2Inode dir) {
    dir.mtime = fs.now();
    dir.ctime = dir.mtime;
    dir.flags &= ~Ext2Inode.INDEX_FL;
    fs.inodeChanged(dir);
  }

  // ext2_delete_entry
  /**
   * Removes an entry by merging it into the one before it; returns the block it was in. Holds the
   * lock.
   */
  long removeEntry(Ext2Inode dir, byte[] name) throws IOException {
    return removeEntry(dir, name, phys -> {});
  }

  /** Something to do with the block of an entry before it changes (an order to record). */
  interface BeforeChange {
    void block(long phys) throws IOException;
  }

  /** As above, calling {@code before} with the entry's block before the block changes. */
  long removeEntry(Ext2Inode dir, byte[] name, BeforeChange before) throws IOException {
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
              before.block(phys);
              if (prev >= 0) {
                int prevLen = Short.toUnsignedInt(d.getShort(prev + 4));
                d.putShort(prev + 4, (short) (prevLen + recLen));
              } else {
                d.putInt(offs, 0);
              }
              bc.markBufferDirty(bh);
              dirChanged(dir);
              Map<String, Long> names = dcache.get(dir.ino);
              if (names != null) {
                names.remove(new String(name, StandardCharsets.ISO_8859_1));
              }
              return phys;
            }
          }
          prev = offs;
          offs += recLen;
        }
      } finally {
        bh.put();
      }
    }
    throw fs.corrupt("directory entry vanished during removal", dir.ino, -1);
  }

  // ext2_set_link on the ".." entry (ext2_dotdot finds it)
  /** Points the ".." entry of {@code dir} at {@code parent}. Holds the lock. */
  void setDotDot(Ext2Inode dir, long parent) throws IOException {
    long phys = mapDirBlock(dir, 0, false);
    BufferHead bh = bc.bread(phys);
    try {
      ByteBuffer d = bh.data().order(ByteOrder.LITTLE_ENDIAN);
      int first = Short.toUnsignedInt(d.getShort(4));
      if (first >= sb.blockSize || d.get(first + 8) != '.' || d.get(first + 9) != '.') {
        throw fs.corrupt("directory without a '..' entry", dir.ino, phys);
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
}
