// fs/ext2/xattr.c: ext2_xattr_set2, ext2_xattr_release_block, ext2_xattr_delete_inode,
// ext2_xattr_rehash, ext2_xattr_cache_insert, ext2_xattr_cache_find; fs/mbcache.c in miniature
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.page.BufferHead;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.XattrArea;
import org.mpage.fs.ext2.disk.XattrEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extended attribute block of ext2 (i_file_acl): a 32-byte header (magic 0xEA020000, the number
 * of inodes sharing the block, h_blocks = 1, a hash of all entries; ext4 keeps a checksum in the
 * first reserved word) and an {@link XattrArea} over the rest of the block.
 *
 * <p>Inodes with equal attribute sets share one block, as the kernel arranges with mbcache: every
 * block read or written is remembered under its hash; a new set looks for a block of the same hash
 * and the same entries with fewer than {@link #REFCOUNT_MAX} users before it allocates one. A
 * shared block is never changed in place (copy on write); a block whose count drops to 0 is freed.
 * Each inode counts the block in its i_blocks, shared or not, as e2fsck expects.
 *
 * <p>The caller holds the filesystem lock for every method: the lock stands for the kernel's
 * xattr_sem and the buffer lock together. The cache itself is concurrent only so that a stale entry
 * is harmless: a hit is checked against the block before it is used.
 */
final class Ext2XattrBlock {
  private static final Logger LOG = LoggerFactory.getLogger(Ext2XattrBlock.class);

  /** EXT2_XATTR_MAGIC. */
  static final int MAGIC = 0xEA02_0000;

  /** sizeof(struct ext2_xattr_header). */
  static final int HEADER = 32;

  /** EXT2_XATTR_REFCOUNT_MAX: a block is shared by at most this many inodes. */
  static final int REFCOUNT_MAX = 1024;

  private static final int H_REFCOUNT = 4;
  private static final int H_BLOCKS = 8;
  private static final int H_HASH = 12;
  private static final int BLOCK_HASH_SHIFT = 16;

  /** Entries beyond which the cache forgets everything and starts again. */
  private static final int CACHE_LIMIT = 4096;

  private final Ext2SbInfo fs;
  private final Ext2Superblock sb;
  private final BufferCache bc;

  /** The mbcache: block hash to blocks of that hash; block to its hash, to take it out again. */
  private final Map<Integer, Set<Long>> byHash = new ConcurrentHashMap<>();

  private final Map<Long, Integer> hashOf = new ConcurrentHashMap<>();

  Ext2XattrBlock(Ext2SbInfo fs) {
    this.fs = fs;
    this.sb = fs.superblock();
    this.bc = fs.bufferCache();
  }

  /** The block's sectors, as i_blocks counts them. */
  private long sectors() {
    return sb.blockSize >> 9;
  }

  // ext2_xattr_get and ext2_xattr_list, the block half
  /** The entries of {@code ei}'s attribute block, in on-disk order; empty without one. */
  List<XattrEntry> read(Ext2Inode ei) throws IOException {
    long block = ei.fileAcl;
    if (block == 0) {
      return List.of();
    }
    fs.checkBlock(block, ei.ino, "extended attribute block");
    BufferHead bh = bc.bread(block);
    try {
      return parse(ei.ino, block, bh.data());
    } finally {
      bh.put();
    }
  }

  /** Checks and parses an attribute block, and remembers it in the cache. */
  private List<XattrEntry> parse(long ino, long block, ByteBuffer data) throws IOException {
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.getInt(0) != MAGIC || b.getInt(H_BLOCKS) != 1) {
      throw fs.corrupt(
          String.format(
              "bad extended attribute block: magic 0x%08x, h_blocks %d",
              b.getInt(0), b.getInt(H_BLOCKS)),
          ino,
          block);
    }
    fs.checksums().checkXattrBlock(ino, block, data);
    List<XattrEntry> entries;
    try {
      entries = XattrArea.parse(b, HEADER, 0, sb.blockSize);
    } catch (CorruptFilesystemException e) {
      throw fs.corrupt("extended attribute block: " + e.problem(), ino, block);
    }
    cacheInsert(block, b.getInt(H_HASH));
    return entries;
  }

  /** h_refcount of an attribute block. */
  private static int refcount(ByteBuffer data) {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(H_REFCOUNT);
  }

  // ext2_xattr_set2
  /**
   * Gives {@code ei} a block holding exactly {@code entries} (sorted in the kernel's order; empty
   * for none): a cached block with the same entries is shared, a block of its own is rewritten in
   * place, else a new block is allocated; the block it had before loses a reference. Marks the
   * inode changed. The caller checked that the entries fit in a block.
   */
  void set(Ext2Inode ei, List<XattrEntry> entries) throws IOException {
    long old = ei.fileAcl;
    long now = 0;
    if (!entries.isEmpty()) {
      ByteBuffer image = ByteBuffer.allocate(sb.blockSize).order(ByteOrder.LITTLE_ENDIAN);
      int[] hashes = XattrArea.write(image, HEADER, 0, sb.blockSize, entries);
      int hash = rehash(hashes);
      image.putInt(0, MAGIC).putInt(H_BLOCKS, 1).putInt(H_HASH, hash);
      long shared = cacheFind(hash, entries);
      if (shared != 0 && shared == old) {
        now = old; // the same entries as before
      } else if (shared != 0) {
        adjustRefcount(shared, +1);
        ei.blocks += sectors();
        now = shared;
      } else if (old != 0 && ownBlock(old)) {
        image.putInt(H_REFCOUNT, 1);
        overwrite(old, image);
        cacheForget(old);
        cacheInsert(old, hash);
        now = old;
      } else {
        long goal = fs.groupStart((ei.ino - 1) / sb.inodesPerGroup);
        now = fs.balloc().allocBlocks(goal, 1, ei.ino)[0];
        image.putInt(H_REFCOUNT, 1);
        fs.writeNewBlock(now, image);
        // the block is complete on disk before an inode names it
        bc.orderBefore(now, fs.inodeBlock(ei.ino));
        ei.blocks += sectors();
        cacheInsert(now, hash);
      }
    }
    if (old != 0 && old != now) {
      releaseBlock(ei, old);
    }
    ei.fileAcl = now;
    if (now != 0 && sb.revLevel > 0 && !sb.hasCompat(Ext2Features.COMPAT_EXT_ATTR)) {
      // ext2_xattr_update_super_block
      sb.featureCompat |= Ext2Features.COMPAT_EXT_ATTR;
      fs.superChanged();
    }
    fs.inodeChanged(ei);
  }

  /** Whether {@code block} is used by its one inode only (it may be changed in place). */
  private boolean ownBlock(long block) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      return refcount(bh.data()) == 1;
    } finally {
      bh.put();
    }
  }

  private void overwrite(long block, ByteBuffer image) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      bh.data().duplicate().put(image.duplicate().clear());
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  /** Changes h_refcount by {@code delta}; returns the new count. */
  private int adjustRefcount(long block, int delta) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      ByteBuffer b = bh.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      int count = b.getInt(H_REFCOUNT) + delta;
      b.putInt(H_REFCOUNT, count);
      bc.markBufferDirty(bh);
      return count;
    } finally {
      bh.put();
    }
  }

  // ext2_xattr_release_block
  /** {@code ei} stops using {@code block}: the last user frees it. */
  private void releaseBlock(Ext2Inode ei, long block) throws IOException {
    int count = adjustRefcount(block, -1);
    if (count <= 0) {
      cacheForget(block);
      fs.balloc().freeBlocks(block, 1, ei.ino);
    }
    ei.blocks = Math.max(0, ei.blocks - sectors());
  }

  // ext2_xattr_delete_inode
  /** The inode is being freed: its block loses a reference and i_file_acl is cleared. */
  void deleteInode(Ext2Inode ei) throws IOException {
    long block = ei.fileAcl;
    if (block == 0) {
      return;
    }
    ei.fileAcl = 0;
    if (block < sb.firstDataBlock || block >= sb.blocksCount) {
      LOG.warn(
          "inode {}: extended attribute block {} outside the filesystem, not freed", ei.ino, block);
      return;
    }
    BufferHead bh = bc.bread(block);
    try {
      ByteBuffer b = bh.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      if (b.getInt(0) != MAGIC || b.getInt(H_BLOCKS) != 1) {
        // as the kernel: not freed, since it may be another file's block; e2fsck settles it
        LOG.warn("inode {}: bad extended attribute block {}, not freed", ei.ino, block);
        return;
      }
    } finally {
      bh.put();
    }
    releaseBlock(ei, block);
  }

  // ext2_xattr_rehash
  /** The block hash from the entry hashes: 0 (never shared) if any entry's hash is 0. */
  static int rehash(int[] entryHashes) {
    int hash = 0;
    for (int h : entryHashes) {
      if (h == 0) {
        return 0;
      }
      hash = (hash << BLOCK_HASH_SHIFT) ^ (hash >>> (32 - BLOCK_HASH_SHIFT)) ^ h;
    }
    return hash;
  }

  // ext2_xattr_cache_insert
  private void cacheInsert(long block, int hash) {
    if (hash == 0) {
      return;
    }
    if (hashOf.size() >= CACHE_LIMIT) {
      byHash.clear();
      hashOf.clear();
    }
    Integer before = hashOf.put(block, hash);
    if (before != null && before != hash) {
      Set<Long> set = byHash.get(before);
      if (set != null) {
        set.remove(block);
      }
    }
    byHash.computeIfAbsent(hash, h -> ConcurrentHashMap.newKeySet()).add(block);
  }

  private void cacheForget(long block) {
    Integer hash = hashOf.remove(block);
    if (hash != null) {
      Set<Long> set = byHash.get(hash);
      if (set != null) {
        set.remove(block);
      }
    }
  }

  // ext2_xattr_cache_find
  /**
   * A block of hash {@code hash} holding exactly {@code entries} and shared by fewer than {@link
   * #REFCOUNT_MAX} inodes, or 0. Blocks that no longer match are dropped from the cache.
   */
  private long cacheFind(int hash, List<XattrEntry> entries) throws IOException {
    if (hash == 0) {
      return 0;
    }
    Set<Long> candidates = byHash.get(hash);
    if (candidates == null) {
      return 0;
    }
    for (Long block : new ArrayList<>(candidates)) {
      BufferHead bh = bc.bread(block);
      try {
        ByteBuffer b = bh.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC || b.getInt(H_BLOCKS) != 1 || b.getInt(H_HASH) != hash) {
          cacheForget(block);
          continue;
        }
        if (refcount(b) >= REFCOUNT_MAX || refcount(b) <= 0) {
          continue;
        }
        List<XattrEntry> there;
        try {
          there = new ArrayList<>(XattrArea.parse(b, HEADER, 0, sb.blockSize));
        } catch (CorruptFilesystemException e) {
          cacheForget(block);
          continue;
        }
        there.sort(XattrEntry.ORDER);
        if (there.equals(entries)) {
          return block;
        }
      } finally {
        bh.put();
      }
    }
    return 0;
  }
}
