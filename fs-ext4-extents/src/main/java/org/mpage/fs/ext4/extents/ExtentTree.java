// fs/ext4/extents.c: ext4_ext_map_blocks, read side (ext4_find_extent, __ext4_ext_check)
package org.mpage.fs.ext4.extents;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.mpage.api.blockmap.BlockMap;
import org.mpage.api.blockmap.BlockMapContext;
import org.mpage.api.blockmap.MappedInode;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.page.BufferHead;

/**
 * ext4's extent-mapped get_block, read only. The inode's 60-byte block map holds the root of a
 * tree: a 12-byte header (magic, entry count, capacity, depth) and up to 4 entries. At depth 0 the
 * entries are extents (first file block, length, first disk block); above, they are indexes (first
 * file block of a subtree, the block holding it), and every node below the root is one filesystem
 * block with the same header and as many entries as fit.
 *
 * <p>A lookup walks from the root to a leaf, at each level taking the last entry that starts at or
 * before the wanted block, and checks every node it reads before trusting it: the magic, the depth
 * it should have at that level, the capacity and count, entries sorted, block numbers inside the
 * filesystem, no node twice on one path, and with metadata_csum its checksum. One call maps as many
 * blocks as asked up to the end of the extent, so a page-cache read builds one BIO per extent. An
 * unwritten extent (preallocated, never written) reads as zeros, so it is mapped as a hole, as the
 * kernel's read path does.
 */
final class ExtentTree implements BlockMap {
  static final int MAGIC = 0xF30A;
  static final int MAX_DEPTH = 5;
  private static final int ENTRY = 12;

  /** The bytes of the block map in the inode (i_block): the root node. */
  private static final int ROOT_BYTES = 60;

  /** EXT_MAX_BLOCKS: file blocks are 32-bit. */
  static final long MAX_BLOCKS = 0xFFFF_FFFFL;

  /** EXT_INIT_MAX_LEN: a longer ee_len is an unwritten extent of ee_len minus this. */
  private static final int INIT_MAX_LEN = 1 << 15;

  private final BlockMapContext fs;
  private final BufferCache bc;
  private final int blockSize;

  ExtentTree(BlockMapContext fs) {
    this.fs = fs;
    this.bc = fs.bufferCache();
    this.blockSize = bc.blockSize();
  }

  /**
   * What a lookup found for a file block: {@code length} blocks from {@code logical} on that are
   * either on disk from {@code physical}, or a hole ({@code physical} 0) that also stands for an
   * unwritten extent.
   */
  record Mapping(long logical, long length, long physical) {
    boolean isHole() {
      return physical == 0;
    }
  }

  @Override
  public long maxBlocks() {
    return MAX_BLOCKS;
  }

  // _ext4_get_block for a read: ext4_map_blocks without EXT4_GET_BLOCKS_CREATE
  @Override
  public void map(MappedInode ei, long iblock, BufferHead bh) throws IOException {
    int bits = ei.blockBits();
    long wanted = Math.max(1, bh.size() >> bits);
    if (iblock < 0 || iblock >= MAX_BLOCKS) {
      bh.setSize(1 << bits);
      return; // beyond the largest extent-mapped file: a hole
    }
    Mapping m = map(ei, iblock);
    long n = Math.min(wanted, m.length());
    if (!m.isHole()) {
      bh.map(bc.device(), m.physical());
    }
    bh.setSize((int) n << bits);
  }

  /**
   * The first file block at or after {@code from} that is data ({@code wantData}) or a hole, or -1
   * if there is none; an unwritten extent counts as a hole. One lookup per extent or hole crossed.
   */
  @Override
  public long seek(MappedInode ei, long from, boolean wantData) throws IOException {
    long b = Math.max(0, from);
    while (b < MAX_BLOCKS) {
      Mapping m = map(ei, b);
      if (m.isHole() != wantData) {
        return b;
      }
      b += m.length();
    }
    return wantData ? -1 : b;
  }

  // ext4_find_extent, then ext4_ext_map_blocks' in-extent and hole cases
  /** The mapping of file block {@code iblock} (below {@link #MAX_BLOCKS}). */
  Mapping map(MappedInode ei, long iblock) throws IOException {
    ByteBuffer node = ByteBuffer.wrap(ei.blockMap(), 0, ROOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int depth = checkHeader(ei, node, -1, -1, rootMax());
    // The first block of the next subtree to the right: where a hole found below ends at most.
    long next = MAX_BLOCKS;
    long[] path = new long[depth];
    long nodeBlock = -1;
    for (int level = depth; level > 0; level--) {
      int entries = entries(node);
      checkIndexes(ei, node, nodeBlock, entries);
      int i = lastAtOrBefore(node, entries, iblock);
      if (i + 1 < entries) {
        next = Math.min(next, u32(node, ENTRY * (i + 2)));
      }
      long child = indexLeaf(node, ENTRY * (i + 1));
      for (int k = depth; k > level; k--) {
        if (path[depth - k] == child) {
          throw fs.corrupt(
              "extent tree loop: index in block " + nodeBlock + " points back to block " + child,
              ei.ino(),
              child);
        }
      }
      path[depth - level] = child;
      node = readNode(child);
      checkHeader(ei, node, child, level - 1, nodeMax());
      try {
        fs.verifyMapBlock(ei, child, node.duplicate());
      } catch (CorruptFilesystemException e) {
        throw fs.corrupt(e.problem(), ei.ino(), child); // remembered, so that a read names it
      }
      nodeBlock = child;
    }
    return inLeaf(ei, node, nodeBlock, iblock, next);
  }

  /** The extent holding {@code iblock} in a leaf, or the hole around it up to {@code next}. */
  private Mapping inLeaf(MappedInode ei, ByteBuffer node, long nodeBlock, long iblock, long next)
      throws IOException {
    int entries = entries(node);
    long prevEnd = 0;
    int found = -1;
    for (int i = 0; i < entries; i++) {
      int at = ENTRY * (i + 1);
      long first = u32(node, at);
      int len = extentLength(node, at);
      long start = extentStart(node, at);
      String where = "extent " + i + " (file block " + first + ") in " + nodeName(nodeBlock);
      if (len == 0) {
        throw fs.corrupt(where + " has length 0", ei.ino(), nodeBlock);
      }
      if (first < prevEnd) {
        throw fs.corrupt(where + " is not sorted after the extent before it", ei.ino(), nodeBlock);
      }
      if (first + len > MAX_BLOCKS + 1) {
        throw fs.corrupt(where + " runs past the largest file block", ei.ino(), nodeBlock);
      }
      if (start < fs.firstDataBlock() || start + len > fs.blocksCount() || start + len < start) {
        throw fs.corrupt(
            where + ": disk blocks " + start + ".." + (start + len - 1) + " outside the filesystem",
            ei.ino(),
            nodeBlock);
      }
      prevEnd = first + len;
      if (first <= iblock) {
        found = i;
      }
    }
    if (found >= 0) {
      int at = ENTRY * (found + 1);
      long first = u32(node, at);
      int len = extentLength(node, at);
      if (iblock < first + len) {
        boolean unwritten = Short.toUnsignedInt(node.getShort(at + 4)) > INIT_MAX_LEN;
        long physical = unwritten ? 0 : extentStart(node, at) + (iblock - first);
        return new Mapping(iblock, first + len - iblock, physical);
      }
    }
    if (found + 1 < entries) {
      next = Math.min(next, u32(node, ENTRY * (found + 2)));
    }
    return new Mapping(iblock, Math.max(1, next - iblock), 0);
  }

  /** Checks an index node's entries: sorted strictly, each child inside the filesystem. */
  private void checkIndexes(MappedInode ei, ByteBuffer node, long nodeBlock, int entries)
      throws IOException {
    if (entries == 0) {
      throw fs.corrupt("empty extent index in " + nodeName(nodeBlock), ei.ino(), nodeBlock);
    }
    long prev = -1;
    for (int i = 0; i < entries; i++) {
      int at = ENTRY * (i + 1);
      long first = u32(node, at);
      long child = indexLeaf(node, at);
      String where = "extent index " + i + " (file block " + first + ") in " + nodeName(nodeBlock);
      if (first <= prev) {
        throw fs.corrupt(where + " is not sorted after the index before it", ei.ino(), nodeBlock);
      }
      if (child < fs.firstDataBlock() || child >= fs.blocksCount()) {
        throw fs.corrupt(
            where + " points to block " + child + " outside the filesystem", ei.ino(), nodeBlock);
      }
      prev = first;
    }
  }

  /**
   * Port of __ext4_ext_check(): the header of a node ({@code nodeBlock} -1 for the root in the
   * inode) and, below the root, the depth its parent promised. Returns the node's depth.
   */
  private int checkHeader(
      MappedInode ei, ByteBuffer node, long nodeBlock, int wantDepth, int capacity)
      throws IOException {
    int magic = Short.toUnsignedInt(node.getShort(0));
    int entries = entries(node);
    int max = Short.toUnsignedInt(node.getShort(4));
    int depth = Short.toUnsignedInt(node.getShort(6));
    String where = nodeName(nodeBlock);
    if (magic != MAGIC) {
      throw fs.corrupt(
          String.format("bad extent header magic 0x%04x in %s", magic, where), ei.ino(), nodeBlock);
    }
    if (depth > MAX_DEPTH) {
      throw fs.corrupt(
          "extent tree depth " + depth + " in " + where + " (at most " + MAX_DEPTH + ")",
          ei.ino(),
          nodeBlock);
    }
    if (wantDepth >= 0 && depth != wantDepth) {
      throw fs.corrupt(
          "extent tree depth " + depth + " in " + where + " where its parent implies " + wantDepth,
          ei.ino(),
          nodeBlock);
    }
    if (max == 0 || max > capacity) {
      throw fs.corrupt(
          "extent node capacity " + max + " in " + where + " (room for " + capacity + ")",
          ei.ino(),
          nodeBlock);
    }
    if (entries > max) {
      throw fs.corrupt(
          "extent node with " + entries + " entries in " + where + " of capacity " + max,
          ei.ino(),
          nodeBlock);
    }
    return depth;
  }

  /** A copy of a tree node's block: parsed after the buffer is released. */
  private ByteBuffer readNode(long block) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      ByteBuffer copy = ByteBuffer.allocate(blockSize).order(ByteOrder.LITTLE_ENDIAN);
      copy.put(bh.data().duplicate().clear().limit(blockSize));
      return copy.clear();
    } finally {
      bh.put();
    }
  }

  /** The index of the last entry starting at or before {@code iblock}, 0 if none does. */
  private static int lastAtOrBefore(ByteBuffer node, int entries, long iblock) {
    int lo = 0;
    int hi = entries - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (u32(node, ENTRY * (mid + 1)) <= iblock) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private int rootMax() {
    return (ROOT_BYTES - ENTRY) / ENTRY;
  }

  private int nodeMax() {
    return (blockSize - ENTRY) / ENTRY;
  }

  private static String nodeName(long nodeBlock) {
    return nodeBlock < 0 ? "the inode's extent root" : "extent block " + nodeBlock;
  }

  private static int entries(ByteBuffer node) {
    return Short.toUnsignedInt(node.getShort(2));
  }

  /** ei_leaf_lo and ei_leaf_hi of the index at {@code at}. */
  private static long indexLeaf(ByteBuffer node, int at) {
    return u32(node, at + 4) | ((long) Short.toUnsignedInt(node.getShort(at + 8)) << 32);
  }

  /** ee_start_lo and ee_start_hi of the extent at {@code at}. */
  private static long extentStart(ByteBuffer node, int at) {
    return u32(node, at + 8) | ((long) Short.toUnsignedInt(node.getShort(at + 6)) << 32);
  }

  // ext4_ext_get_actual_len
  private static int extentLength(ByteBuffer node, int at) {
    int len = Short.toUnsignedInt(node.getShort(at + 4));
    return len <= INIT_MAX_LEN ? len : len - INIT_MAX_LEN;
  }

  private static long u32(ByteBuffer b, int off) {
    return Integer.toUnsignedLong(b.getInt(off));
  }
}
