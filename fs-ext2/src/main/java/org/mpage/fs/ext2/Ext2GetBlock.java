// fs/ext2/inode.c: ext2_get_block, ext2_get_blocks and the block map
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteOrder;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;

/**
 * ext2's block mapper, the kernel's {@code ext2_get_blocks} (fs/ext2/inode.c): it maps file blocks
 * to disk blocks and, for a write, allocates the missing ones with their indirect blocks.
 *
 * <p>A file block is found through the inode's 12 direct pointers, then one, two or three levels of
 * indirect blocks read through the device's buffer cache. One call maps as many blocks as the
 * caller asks for, as long as they are physically consecutive and do not cross the end of the
 * direct area or of an indirect block. Reaching that end sets {@link BhState#BOUNDARY}: the next
 * block's mapping needs another indirect block, which mpage lets the disk read in order after the
 * data gathered so far.
 *
 * <p>Every pointer is checked against the filesystem's size before it is followed or returned. An
 * ext4 inode whose map is an extent tree is handed to the provider of the {@code ext4-extents}
 * scheme (a service of its own bundle), as ext4_map_blocks() chooses between its two mappers by the
 * inode's EXTENTS flag.
 */
final class Ext2GetBlock implements GetBlock {
  private final Ext2SbInfo fs;
  private final BufferCache bc;
  private final boolean boundaryHints;
  private final MountedScheme extents;

  /** The scheme of extent-mapped inodes, served by another bundle's {@code BlockMapProvider}. */
  static final String EXTENTS = "ext4-extents";

  Ext2GetBlock(Ext2SbInfo fs, boolean boundaryHints, BlockMaps maps) {
    this.fs = fs;
    this.bc = fs.bufferCache();
    this.boundaryHints = boundaryHints;
    this.extents = new MountedScheme(EXTENTS, maps, new Ext2MapContext(fs));
  }

  /**
   * Why {@code ei}'s blocks cannot be mapped at all now (its scheme's provider has gone), or null:
   * the page cache reports only an I/O error, and the file handle names the cause with this.
   */
  IOException unavailable(Ext2Inode ei) {
    return ei.usesExtents() && !extents.present() ? extents.missing() : null;
  }

  /** Where a file block's pointer is: the path of slot indexes and the distance to a boundary. */
  static final class BlockPath {
    private final int depth;
    private final int[] offsets;
    private final long blocksToBoundary;

    BlockPath(int depth, int[] offsets, long blocksToBoundary) {
      this.depth = depth;
      this.offsets = offsets;
      this.blocksToBoundary = blocksToBoundary;
    }

    int depth() {
      return depth;
    }

    /** The slot index at each level; not to be changed. */
    int[] offsets() {
      return offsets;
    }

    long blocksToBoundary() {
      return blocksToBoundary;
    }
  }

  /** Port of ext2_block_to_path(), fs/ext2/inode.c. Depth 0: beyond the largest file. */
  static BlockPath blockToPath(long iblock, int blockBits) {
    int ptrsBits = blockBits - 2;
    long ptrs = 1L << ptrsBits;
    long direct = Ext2Inode.NDIR_BLOCKS;
    long indirect = ptrs;
    long doubleBlocks = 1L << (ptrsBits * 2);
    int[] offsets = new int[4];
    int n = 0;
    long finalSlots;
    long i = iblock;
    if (i < 0) {
      return new BlockPath(0, offsets, 0);
    }
    if (i < direct) {
      offsets[n++] = (int) i;
      finalSlots = direct;
    } else if ((i -= direct) < indirect) {
      offsets[n++] = Ext2Inode.IND_BLOCK;
      offsets[n++] = (int) i;
      finalSlots = ptrs;
    } else if ((i -= indirect) < doubleBlocks) {
      offsets[n++] = Ext2Inode.DIND_BLOCK;
      offsets[n++] = (int) (i >> ptrsBits);
      offsets[n++] = (int) (i & (ptrs - 1));
      finalSlots = ptrs;
    } else if (((i -= doubleBlocks) >> (ptrsBits * 2)) < ptrs) {
      offsets[n++] = Ext2Inode.TIND_BLOCK;
      offsets[n++] = (int) (i >> (ptrsBits * 2));
      offsets[n++] = (int) ((i >> ptrsBits) & (ptrs - 1));
      offsets[n++] = (int) (i & (ptrs - 1));
      finalSlots = ptrs;
    } else {
      return new BlockPath(0, offsets, 0);
    }
    long boundary = finalSlots - 1 - (i & (ptrs - 1));
    return new BlockPath(n, offsets, boundary);
  }

  /** Most file blocks an inode can address with this block size. */
  static long maxBlocks(int blockBits) {
    long ptrs = 1L << (blockBits - 2);
    return Ext2Inode.NDIR_BLOCKS + ptrs + ptrs * ptrs + ptrs * ptrs * ptrs;
  }

  /** What a lookup found: the pointer at each level of the path (0 where the branch ends). */
  private static final class Branch {
    private final long[] chain;
    private final int partialLevel;

    Branch(long[] chain, int partialLevel) {
      this.chain = chain;
      this.partialLevel = partialLevel;
    }

    /** The pointer at each level of the path; not to be changed. */
    long[] chain() {
      return chain;
    }

    int partialLevel() {
      return partialLevel;
    }

    long dataBlock() {
      return partialLevel < 0 ? chain[chain.length - 1] : 0;
    }
  }

  /** Port of ext2_get_branch(): follows the path, reading indirect blocks. */
  private Branch getBranch(Ext2Inode ei, BlockPath path) throws IOException {
    int depth = path.depth();
    int[] offsets = path.offsets();
    long[] chain = new long[depth];
    long p = ei.block[offsets[0]];
    chain[0] = p;
    for (int level = 1; level < depth; level++) {
      if (p == 0) {
        return new Branch(chain, level - 1);
      }
      fs.checkBlock(p, ei.ino, "indirect block");
      p = readPointer(p, offsets[level]);
      chain[level] = p;
    }
    return new Branch(chain, p == 0 ? depth - 1 : -1);
  }

  /** Slot {@code slot} of level {@code level}: in the inode's map, or in an indirect block. */
  private long pointer(Ext2Inode ei, Branch br, int level, int slot) throws IOException {
    return level == 0 ? ei.block[slot] : readPointer(br.chain()[level - 1], slot);
  }

  // ext2_get_block, ext2_get_blocks
  @Override
  public void getBlock(Inode inode, long iblock, BufferHead bh, boolean create) throws IOException {
    Ext2Inode ei = (Ext2Inode) inode;
    if (ei.usesExtents()) { // ext4_map_blocks picks the mapper per inode
      if (create) {
        throw new IOException(
            fs.device().name() + ": extent-mapped inode " + ei.ino + " is read-only here");
      }
      extents.map().map(ei, iblock, bh);
      return;
    }
    if (ei.hasInlineData()) {
      throw fs.corrupt("block " + iblock + " asked of an inline-data inode", ei.ino, -1);
    }
    int blockBits = ei.blockBits();
    int maxBlocks = Math.max(1, bh.size() >> blockBits);
    BlockPath path = blockToPath(iblock, blockBits);
    if (path.depth() == 0) {
      throw fs.corrupt("block " + iblock + " is beyond the largest possible file", ei.ino, -1);
    }
    Branch br = getBranch(ei, path);
    if (br.dataBlock() != 0) {
      mapExisting(ei, path, br, maxBlocks, bh);
      return;
    }
    if (!create) {
      return; // a hole
    }
    if (fs.readOnly()) {
      throw new IOException(fs.device().name() + ": read-only file system");
    }
    fs.lock();
    try {
      br = getBranch(ei, path); // another writer may have filled it meanwhile
      if (br.dataBlock() != 0) {
        mapExisting(ei, path, br, maxBlocks, bh);
        return;
      }
      allocateBranch(ei, iblock, path, br, maxBlocks, bh);
    } finally {
      fs.unlock();
    }
  }

  /**
   * The lookup half of ext2_get_blocks(): as many consecutive blocks as asked, up to a boundary.
   */
  private void mapExisting(Ext2Inode ei, BlockPath path, Branch br, int maxBlocks, BufferHead bh)
      throws IOException {
    int depth = path.depth();
    int slot = path.offsets()[depth - 1];
    long ptr = br.dataBlock();
    fs.checkBlock(ptr, ei.ino, "data block");
    int count = 1;
    if (maxBlocks > 1 && path.blocksToBoundary() > 0) {
      int limit = (int) Math.min(maxBlocks, path.blocksToBoundary() + 1);
      count =
          depth == 1
              ? contiguous(ei.block, slot, ptr, limit)
              : contiguousPointers(br.chain()[depth - 2], slot, ptr, limit);
    }
    fs.checkBlock(ptr + count - 1, ei.ino, "data block");
    bh.map(fs.device(), ptr);
    bh.setSize(count << ei.blockBits());
    if (boundaryHints && count > path.blocksToBoundary()) {
      bh.set(BhState.BOUNDARY);
    }
  }

  /** How many of the {@code limit} slots from {@code slot} continue the run from {@code ptr}. */
  private static int contiguous(long[] slots, int slot, long ptr, int limit) {
    int count = 1;
    while (count < limit && slots[slot + count] == ptr + count) {
      count++;
    }
    return count;
  }

  /**
   * The allocating half of ext2_get_blocks() (ext2_alloc_branch and ext2_splice_branch): the
   * missing indirect blocks first, then the data blocks, allocated together so that a new file lies
   * on disk as data 0-11, indirect, data 12 onwards; new indirect blocks are zeroed in the device's
   * cache, and the new branch is attached to the tree last.
   */
  private void allocateBranch(
      Ext2Inode ei, long iblock, BlockPath path, Branch br, int maxBlocks, BufferHead bh)
      throws IOException {
    int depth = path.depth();
    int[] offsets = path.offsets();
    int k = br.partialLevel();
    int indirect = depth - 1 - k;
    int count;
    long limit = Math.min(maxBlocks, path.blocksToBoundary() + 1);
    if (indirect > 0) {
      count = (int) limit;
    } else {
      count = 1;
      while (count < limit && pointer(ei, br, depth - 1, offsets[depth - 1] + count) == 0) {
        count++;
      }
    }
    long goal = findGoal(ei, iblock, k, offsets, br);
    long[] ind = new long[indirect];
    int indDone = 0;
    long dataFirst = 0;
    int dataCount = 0;
    long next = goal;
    try {
      while (dataCount == 0) {
        long[] got =
            fs.balloc().allocBlocks(next, indirect - indDone + count, ei.ino, ei.isRegular());
        long first = got[0];
        long n = got[1];
        while (indDone < indirect && n > 0) {
          ind[indDone++] = first++;
          n--;
        }
        if (indDone == indirect && n > 0) {
          dataFirst = first;
          dataCount = (int) n;
        }
        next = got[0] + got[1];
      }
    } catch (IOException e) {
      for (int i = 0; i < indDone; i++) {
        fs.balloc().freeBlocks(ind[i], 1, ei.ino);
      }
      throw e;
    }
    int bs = 1 << ei.blockBits();
    // New indirect blocks: zeroed, each pointing at the next, the last at the data.
    for (int i = 0; i < indirect; i++) {
      int level = k + 1 + i;
      java.nio.ByteBuffer zero = java.nio.ByteBuffer.allocate(bs);
      if (i + 1 < indirect) {
        zero.order(ByteOrder.LITTLE_ENDIAN).putInt(offsets[level] * 4, (int) ind[i + 1]);
      } else {
        for (int d = 0; d < dataCount; d++) {
          zero.order(ByteOrder.LITTLE_ENDIAN)
              .putInt((offsets[level] + d) * 4, (int) (dataFirst + d));
        }
      }
      fs.writeNewBlock(ind[i], zero);
    }
    // Splice: attach the new branch (or the new data pointers) to the existing tree.
    if (indirect > 0) {
      // A pointer must not reach the disk before the zeroed indirect block it points to: a crash
      // would leave garbage read as block numbers, and e2fsck would clear the whole inode.
      for (int i = indirect - 1; i > 0; i--) {
        bc.orderBefore(ind[i], ind[i - 1]);
      }
      bc.orderBefore(ind[0], k == 0 ? fs.inodeBlock(ei.ino) : br.chain()[k - 1]);
      setPointer(ei, br.chain(), k, offsets[k], ind[0]);
    } else {
      for (int d = 0; d < dataCount; d++) {
        setPointer(ei, br.chain(), depth - 1, offsets[depth - 1] + d, dataFirst + d);
      }
    }
    ei.blocks += (long) (indirect + dataCount) * (bs >> 9);
    ei.lastAllocLogical = iblock + dataCount - 1;
    ei.lastAllocPhysical = dataFirst + dataCount - 1;
    ei.dirty = true;
    fs.inodeChanged(ei);
    bh.map(fs.device(), dataFirst);
    bh.setSize(dataCount << ei.blockBits());
    bh.set(BhState.NEW);
    if (boundaryHints && dataCount > path.blocksToBoundary()) {
      bh.set(BhState.BOUNDARY);
    }
  }

  /**
   * The block holding the pointer to file block {@code iblock}: the inode's table block for the
   * direct area, else the last indirect block of its path. Holds the lock; the block is mapped.
   */
  long pointerHolder(Ext2Inode ei, long iblock) throws IOException {
    BlockPath path = blockToPath(iblock, ei.blockBits());
    if (path.depth() == 1) {
      return fs.inodeBlock(ei.ino);
    }
    return getBranch(ei, path).chain()[path.depth() - 2];
  }

  /** Port of ext2_find_goal() and ext2_find_near(). */
  private long findGoal(Ext2Inode ei, long iblock, int k, int[] offsets, Branch br)
      throws IOException {
    if (iblock == ei.lastAllocLogical + 1 && ei.lastAllocPhysical != 0) {
      return ei.lastAllocPhysical + 1;
    }
    for (int i = offsets[k] - 1; i >= 0; i--) {
      long p = pointer(ei, br, k, i);
      if (p != 0) {
        return p;
      }
    }
    if (k > 0) {
      return br.chain()[k - 1];
    }
    return colourGoal(ei.ino);
  }

  /**
   * The first file block at or after {@code from} that is mapped ({@code wantData}) or a hole
   * (otherwise), or -1 if there is none below {@link #maxBlocks}. Whole subtrees whose pointer is
   * zero are skipped at once, so a sparse file of terabytes is searched in a few block reads (the
   * block-map half of {@code SEEK_DATA}/{@code SEEK_HOLE}).
   */
  long seek(Ext2Inode ei, long from, boolean wantData) throws IOException {
    if (ei.usesExtents()) {
      return extents.map().seek(ei, from, wantData);
    }
    int ptrsBits = ei.blockBits() - 2;
    long base = 0;
    for (int slot = 0; slot < Ext2Inode.N_BLOCKS; slot++) {
      int depth = slot < Ext2Inode.NDIR_BLOCKS ? 0 : slot - Ext2Inode.NDIR_BLOCKS + 1;
      long span = 1L << (ptrsBits * depth);
      if (from < base + span) {
        long found = seekIn(ei, ei.block[slot], depth, base, Math.max(from, base), wantData);
        if (found >= 0) {
          return found;
        }
      }
      base += span;
    }
    return -1;
  }

  /** {@link #seek} within the subtree of {@code ptr} ({@code depth} levels above the data). */
  private long seekIn(Ext2Inode ei, long ptr, int depth, long base, long from, boolean wantData)
      throws IOException {
    if (ptr == 0) {
      return wantData ? -1 : from;
    }
    if (depth == 0) {
      return wantData ? from : -1;
    }
    fs.checkBlock(ptr, ei.ino, "indirect block");
    long[] slots = readPointers(ptr);
    int childBits = (ei.blockBits() - 2) * (depth - 1);
    for (int i = (int) ((from - base) >>> childBits); i < slots.length; i++) {
      long childBase = base + ((long) i << childBits);
      long found = seekIn(ei, slots[i], depth - 1, childBase, Math.max(from, childBase), wantData);
      if (found >= 0) {
        return found;
      }
    }
    return -1;
  }

  /** One 32-bit pointer of an indirect block. */
  private long readPointer(long block, int slot) throws IOException {
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
  private int contiguousPointers(long block, int slot, long ptr, int limit) throws IOException {
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

  private long[] readPointers(long block) throws IOException {
    BufferHead bh = bc.bread(block);
    try {
      return pointers(bh.data());
    } finally {
      bh.put();
    }
  }

  /** Sets slot {@code slot} of level {@code level} of a branch to {@code value}. */
  private void setPointer(Ext2Inode ei, long[] chain, int level, int slot, long value)
      throws IOException {
    if (level == 0) {
      ei.block[slot] = value;
      fs.inodeChanged(ei);
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

  /**
   * A goal for a file with no blocks yet: a spot in its inode's group, coloured by inode number
   * (the kernel colours by process id) so that files started together do not all aim at one block.
   */
  private long colourGoal(long ino) {
    Ext2Superblock sb = fs.superblock();
    long g = (ino - 1) / sb.inodesPerGroup;
    return fs.groupStart(g) + (ino % 16) * (sb.blocksPerGroup / 16);
  }

  /** Reads 32-bit little-endian pointers of an indirect block. */
  static long[] pointers(java.nio.ByteBuffer data) {
    java.nio.ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[b.remaining() / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = Integer.toUnsignedLong(b.getInt(i * 4));
    }
    return out;
  }
}
