package org.mpage.fileops;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.Names;

/**
 * The size of {@code mkfs SIZE auto}: the smallest image, as mpage's ext2 mkfs lays one out (one
 * 128-byte inode per 8 KiB, 8 × block-size blocks per group, superblock copies in groups 0, 1 and
 * powers of 3, 5 and 7), whose free blocks hold the tree's blocks and whose inodes hold its
 * entries, each with a {@link #MARGIN_PERCENT} margin, rounded up to a whole MiB.
 *
 * <p>The tree's blocks are counted without reading any data: a file's size in blocks with its
 * indirect blocks (a sparse file at its full size, so its holes only add room), a symbolic link of
 * 60 bytes or more one block, a directory its entries' records over blocks that waste at most a
 * record's maximum (264 bytes) each.
 */
final class TreeSize {
  /** The margin on blocks and inodes, in percent; at least 64 blocks and 16 inodes. */
  static final int MARGIN_PERCENT = 10;

  private static final int INODE_SIZE = 128;
  private static final int BYTES_PER_INODE = 8192;
  private static final int FIRST_INO = 11;

  /** What the tree needs: blocks, inodes and the bytes of its files. */
  record Needs(long blocks, long inodes, long fileBytes) {}

  private TreeSize() {}

  /** Reads the whole source (no data) and counts what it needs in blocks of {@code bs} bytes. */
  static Needs of(TreeSource source, int bs) throws IOException {
    long blocks = 1; // lost+found (the root is counted as a directory below)
    long inodes = 0;
    long fileBytes = 0;
    Map<String, Long> dirBytes = new HashMap<>();
    dirBytes.put("/", 0L);
    for (TreeSource.Entry e; (e = source.next()) != null; ) {
      String path = e.path();
      if (!path.equals("/")) {
        // tar may leave parents out: the builder makes them, so they count
        for (String p = FileOps.parent(path); !dirBytes.containsKey(p); p = FileOps.parent(p)) {
          dirBytes.put(p, 0L);
          inodes++;
          dirBytes.merge(FileOps.parent(p), record(FileOps.lastName(p)), Long::sum);
        }
        dirBytes.merge(FileOps.parent(path), record(FileOps.lastName(path)), Long::sum);
      }
      if (e.hardLink()) {
        continue;
      }
      if (!path.equals("/")) {
        inodes++;
      }
      if (!source.xattrs().isEmpty()) {
        blocks++; // at most one attribute block (equal sets share one; small ones fit the inode)
      }
      if (e.type() == FileType.DIRECTORY) {
        dirBytes.putIfAbsent(path, 0L);
      } else if (e.type() == FileType.REGULAR) {
        blocks += fileBlocks(e.size(), bs);
        fileBytes += e.size();
      } else if (e.type() == FileType.SYMLINK && Names.toBytes(e.linkTarget()).length >= 60) {
        blocks++;
      }
    }
    long usable = bs - 264L;
    for (long bytes : dirBytes.values()) {
      blocks += Math.max(1, (24 + bytes + usable - 1) / usable);
    }
    return new Needs(blocks, inodes, fileBytes); // the root has a reserved inode
  }

  /** The bytes of a directory record for {@code name}: 8 and the name, to 4 bytes. */
  private static long record(String name) {
    int n = Names.toBytes(name).length;
    return 8L + ((n + 3) & ~3);
  }

  /** Data and indirect blocks of a file of {@code size} bytes (ext2's block map). */
  static long fileBlocks(long size, int bs) {
    long data = (size + bs - 1) / bs;
    long ptrs = bs / 4;
    long blocks = data;
    long rest = data - 12;
    if (rest > 0) {
      blocks++; // single indirect
      rest -= ptrs;
    }
    if (rest > 0) {
      long ind = (rest + ptrs - 1) / ptrs;
      blocks += 1 + Math.min(ind, ptrs); // double indirect and its indirect blocks
      rest -= ptrs * ptrs;
    }
    if (rest > 0) {
      long ind = (rest + ptrs - 1) / ptrs;
      blocks += 1 + (ind + ptrs - 1) / ptrs + ind; // triple
    }
    return blocks;
  }

  /** The image size in bytes for {@code needs} with the margin, in whole MiB. */
  static long imageBytes(Needs needs, int bs) {
    long wantBlocks = needs.blocks() + Math.max(64, needs.blocks() * MARGIN_PERCENT / 100);
    long wantInodes = needs.inodes() + Math.max(16, needs.inodes() * MARGIN_PERCENT / 100);
    long mib = 1 << 20;
    long perMib = mib / bs;
    long lo = 1;
    long hi = 1;
    while (!fits(hi * perMib, bs, wantBlocks, wantInodes)) {
      lo = hi + 1;
      hi *= 2;
      if (hi * perMib > 0xffff_ffffL) {
        throw new IllegalArgumentException(
            "the tree needs more than ext2's 2^32 blocks of " + bs + " bytes");
      }
    }
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (fits(mid * perMib, bs, wantBlocks, wantInodes)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    // the layout is not quite monotonic in the size (a last group too small is dropped)
    while (!fits(hi * perMib, bs, wantBlocks, wantInodes)) {
      hi++;
    }
    return hi * mib;
  }

  /** Whether an ext2 of {@code count} blocks, as Ext2Mkfs lays it out, has the room asked for. */
  static boolean fits(long count, int bs, long wantBlocks, long wantInodes) {
    if (count < 64) {
      return false;
    }
    long[] free = layout(count, bs);
    return free[0] >= wantBlocks && free[1] >= wantInodes;
  }

  /**
   * The free blocks (before the root's and lost+found's) and free inodes (past the reserved ones
   * and lost+found's) of an ext2 of {@code count} blocks as Ext2Mkfs lays it out: groups of 8 ×
   * {@code bs} blocks, one 128-byte inode per 8 KiB rounded to whole inode-table blocks, a last
   * group too small for its own tables left out. TreeSizeTest holds it to what mkfs makes.
   */
  static long[] layout(long count, int bs) {
    long firstDataBlock = bs == 1024 ? 1 : 0;
    long blocksPerGroup = 8L * bs;
    long g = (count - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
    long inodes = Math.max(64, count * bs / BYTES_PER_INODE);
    long perBlock = bs / INODE_SIZE;
    long ipg = (inodes + g - 1) / g;
    ipg = Math.min(8L * bs, (ipg + perBlock - 1) / perBlock * perBlock);
    long gdt = (g * 32 + bs - 1) / bs;
    long table = ipg * INODE_SIZE / bs;
    long lastSize = count - firstDataBlock - (g - 1) * blocksPerGroup;
    if (g > 1 && lastSize < (hasSuper(g - 1) ? 1 + gdt : 0) + 2 + table + 50) {
      count -= lastSize;
      g--;
    }
    long overhead = 0;
    for (long i = 0; i < g; i++) {
      overhead += (hasSuper(i) ? 1 + gdt : 0) + 2 + table;
    }
    return new long[] {count - firstDataBlock - overhead, g * ipg - FIRST_INO};
  }

  private static boolean hasSuper(long g) {
    if (g <= 1) {
      return true;
    }
    for (int base : new int[] {3, 5, 7}) {
      long p = base;
      while (p < g) {
        p *= base;
      }
      if (p == g) {
        return true;
      }
    }
    return false;
  }
}
