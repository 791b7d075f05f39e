// e2fsprogs misc/mke2fs.c, for one layout
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.fs.ext2.disk.Bitmap;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;

/**
 * Makes a revision 1 ext2 filesystem (sparse_super, large_file, filetype; 128-byte inodes, one
 * inode per 8 KiB) with a root directory and lost+found, written through the device's buffer cache:
 * what {@code mke2fs -t ext2 -O ^resize_inode,^dir_index,^ext_attr} would make.
 */
final class Ext2Mkfs {
  private static final int INODE_SIZE = 128;
  private static final int BYTES_PER_INODE = 8192;
  private static final int ROOT_INO = 2;
  private static final int LOST_FOUND_INO = 11;
  private static final int FIRST_INO = 11;

  private final BlockDevice device;
  private final BufferCache bc;
  private final int bs;
  private final long blocksCount;
  private final long firstDataBlock;
  private final long blocksPerGroup;
  private final long groups;
  private final long inodesPerGroup;
  private final long gdtBlocks;
  private final long tableBlocks;
  private final long now;
  private final byte[] uuid;
  private final byte[] hashSeed;
  private final byte[] label;

  Ext2Mkfs(BlockDevice device, StorageEngine engine, int blockSize) {
    this(device, engine, blockSize, java.util.Map.of());
  }

  /** With the options of {@link Ext2FileSystemType#format}: uuid, hash.seed, label and time. */
  Ext2Mkfs(
      BlockDevice device,
      StorageEngine engine,
      int blockSize,
      java.util.Map<String, String> options) {
    if (blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
      throw new IllegalArgumentException("block size must be 1024, 2048 or 4096: " + blockSize);
    }
    this.device = device;
    this.bs = blockSize;
    this.bc = engine.bufferCache(device, blockSize);
    long count = Math.min(device.capacitySectors() * 512 / bs, 0xFFFFFFFFL);
    this.firstDataBlock = bs == 1024 ? 1 : 0;
    this.blocksPerGroup = 8L * bs;
    long g = (count - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
    long inodes = Math.max(64, count * bs / BYTES_PER_INODE);
    long perBlock = bs / INODE_SIZE;
    long ipg = (inodes + g - 1) / g;
    ipg = Math.min(8L * bs, (ipg + perBlock - 1) / perBlock * perBlock);
    long gdt = (g * GroupDesc.SIZE + bs - 1) / bs;
    long table = ipg * INODE_SIZE / bs;
    // A last group too small for its own tables is left out, as mke2fs does.
    long lastSize = count - firstDataBlock - (g - 1) * blocksPerGroup;
    long lastOverhead = (hasSuper(g - 1) ? 1 + gdt : 0) + 2 + table;
    if (g > 1 && lastSize < lastOverhead + 50) {
      count -= lastSize;
      g--;
    }
    if (count < 64 || count - firstDataBlock < (1 + gdt + 2 + table + 2)) {
      throw new IllegalArgumentException(
          "device "
              + device.name()
              + " is too small for ext2 ("
              + count
              + " blocks of "
              + bs
              + ")");
    }
    this.blocksCount = count;
    this.groups = g;
    this.inodesPerGroup = ipg;
    this.gdtBlocks = gdt;
    this.tableBlocks = table;
    this.uuid = uuidOption(options, "uuid");
    this.hashSeed = uuidOption(options, "hash.seed");
    this.label = options.getOrDefault("label", "").getBytes(StandardCharsets.UTF_8);
    if (label.length > 16) {
      throw new IllegalArgumentException(
          "label has " + label.length + " bytes, at most 16 fit (s_volume_name)");
    }
    String time = options.get("time");
    try {
      this.now = time == null ? System.currentTimeMillis() / 1000 : Long.parseLong(time);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("time takes seconds since 1970, not " + time, e);
    }
    if (now < 0 || now > 0xffff_ffffL) {
      throw new IllegalArgumentException("time does not fit ext2's 32 bits: " + now);
    }
  }

  /** A UUID option as its 16 bytes, big-endian as ext2 stores them; random when not given. */
  private static byte[] uuidOption(java.util.Map<String, String> options, String key) {
    String text = options.get(key);
    UUID id;
    try {
      id = text == null ? UUID.randomUUID() : UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " is not a UUID: " + text, e);
    }
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
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

  private long groupStart(long g) {
    return firstDataBlock + g * blocksPerGroup;
  }

  private long groupSize(long g) {
    return Math.min(blocksPerGroup, blocksCount - groupStart(g));
  }

  private long metaBlocks(long g) {
    return hasSuper(g) ? 1 + gdtBlocks : 0;
  }

  private long blockBitmap(long g) {
    return groupStart(g) + metaBlocks(g);
  }

  void run() throws IOException {
    long rootBlock = blockBitmap(0) + 2 + tableBlocks;
    long lostFoundBlock = rootBlock + 1;
    long[] freeBlocks = new long[(int) groups];
    long totalFree = 0;
    for (long g = 0; g < groups; g++) {
      long used = metaBlocks(g) + 2 + tableBlocks + (g == 0 ? 2 : 0);
      freeBlocks[(int) g] = groupSize(g) - used;
      totalFree += freeBlocks[(int) g];
      writeBlockBitmap(g, used);
      writeInodeBitmap(g);
      for (long t = 0; t < tableBlocks; t++) {
        write(blockBitmap(g) + 2 + t, ByteBuffer.allocate(bs));
      }
    }
    long totalFreeInodes = groups * inodesPerGroup - FIRST_INO;
    // Directories: root and lost+found.
    ByteBuffer root = ByteBuffer.allocate(bs).order(ByteOrder.LITTLE_ENDIAN);
    dirent(root, 0, ROOT_INO, 12, ".", 2);
    dirent(root, 12, ROOT_INO, 12, "..", 2);
    dirent(root, 24, LOST_FOUND_INO, bs - 24, "lost+found", 2);
    write(rootBlock, root);
    ByteBuffer lf = ByteBuffer.allocate(bs).order(ByteOrder.LITTLE_ENDIAN);
    dirent(lf, 0, LOST_FOUND_INO, 12, ".", 2);
    dirent(lf, 12, ROOT_INO, bs - 12, "..", 2);
    write(lostFoundBlock, lf);
    writeInode(ROOT_INO, 040755, 3, rootBlock);
    writeInode(LOST_FOUND_INO, 040700, 2, lostFoundBlock);
    // Superblock and descriptor copies in every group that has them.
    for (long g = 0; g < groups; g++) {
      if (!hasSuper(g)) {
        continue;
      }
      writeSuper(g, totalFree, totalFreeInodes);
      for (long d = 0; d < gdtBlocks; d++) {
        ByteBuffer block = ByteBuffer.allocate(bs).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = d * (bs / GroupDesc.SIZE);
            i < Math.min(groups, (d + 1) * (bs / GroupDesc.SIZE));
            i++) {
          long free = i == 0 ? inodesPerGroup - FIRST_INO : inodesPerGroup;
          new GroupDesc(
                  blockBitmap(i),
                  blockBitmap(i) + 1,
                  blockBitmap(i) + 2,
                  (int) freeBlocks[(int) i],
                  (int) free,
                  i == 0 ? 2 : 0)
              .writeTo(block, (int) (i % (bs / GroupDesc.SIZE)) * GroupDesc.SIZE);
        }
        write(groupStart(g) + 1 + d, block);
      }
    }
    int err = bc.sync();
    if (err != 0) {
      throw new IOException(
          device.name() + ": writing the new filesystem failed (errno " + err + ")");
    }
  }

  private void writeBlockBitmap(long g, long used) throws IOException {
    ByteBuffer map = ByteBuffer.allocate(bs);
    for (long b = 0; b < used; b++) {
      Bitmap.setBit(map, (int) b, true);
    }
    for (long b = groupSize(g); b < 8L * bs; b++) {
      Bitmap.setBit(map, (int) b, true); // padding past the end of the last group
    }
    write(blockBitmap(g), map);
  }

  private void writeInodeBitmap(long g) throws IOException {
    ByteBuffer map = ByteBuffer.allocate(bs);
    if (g == 0) {
      for (int i = 0; i < FIRST_INO; i++) {
        Bitmap.setBit(map, i, true); // reserved inodes 1-10 and lost+found
      }
    }
    for (long i = inodesPerGroup; i < 8L * bs; i++) {
      Bitmap.setBit(map, (int) i, true);
    }
    write(blockBitmap(g) + 1, map);
  }

  private static void dirent(ByteBuffer b, int offs, int ino, int recLen, String name, int type) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    b.putInt(offs, ino);
    b.putShort(offs + 4, (short) recLen);
    b.put(offs + 6, (byte) n.length);
    b.put(offs + 7, (byte) type);
    b.put(offs + 8, n);
  }

  private void writeInode(int ino, int mode, int links, long block) throws IOException {
    long index = (ino - 1) % inodesPerGroup;
    long tableBlock = blockBitmap(0) + 2 + index * INODE_SIZE / bs;
    int offset = (int) (index * INODE_SIZE % bs);
    BufferHead bh = bc.getblk(tableBlock);
    try {
      ByteBuffer b = bh.data().order(ByteOrder.LITTLE_ENDIAN);
      b.putShort(offset, (short) mode);
      b.putInt(offset + 4, bs);
      b.putInt(offset + 8, (int) now);
      b.putInt(offset + 12, (int) now);
      b.putInt(offset + 16, (int) now);
      b.putShort(offset + 26, (short) links);
      b.putInt(offset + 28, bs / 512);
      b.putInt(offset + 40, (int) block);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  private void writeSuper(long g, long freeBlocks, long freeInodes) throws IOException {
    ByteBuffer s = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
    int log = Integer.numberOfTrailingZeros(bs) - 10;
    s.putInt(0, (int) (groups * inodesPerGroup));
    s.putInt(4, (int) blocksCount);
    s.putInt(8, (int) (blocksCount / 20));
    s.putInt(12, (int) freeBlocks);
    s.putInt(16, (int) freeInodes);
    s.putInt(20, (int) firstDataBlock);
    s.putInt(24, log);
    s.putInt(28, log);
    s.putInt(32, (int) blocksPerGroup);
    s.putInt(36, (int) blocksPerGroup);
    s.putInt(40, (int) inodesPerGroup);
    s.putInt(48, (int) now);
    s.putShort(54, (short) -1);
    s.putShort(56, (short) Ext2Superblock.MAGIC);
    s.putShort(58, (short) 1);
    s.putShort(60, (short) 1);
    s.putInt(64, (int) now);
    s.putInt(76, 1);
    s.putInt(84, FIRST_INO);
    s.putShort(88, (short) INODE_SIZE);
    s.putShort(90, (short) g);
    s.putInt(96, Ext2Features.INCOMPAT_FILETYPE);
    s.putInt(100, Ext2Features.RO_COMPAT_SPARSE_SUPER | Ext2Features.RO_COMPAT_LARGE_FILE);
    s.put(104, uuid);
    s.put(120, label);
    s.put(0xEC, hashSeed);
    s.put(0xFC, (byte) 1); // s_def_hash_version: half_md4, as mke2fs sets it
    s.putInt(0x108, (int) now);
    long block = g == 0 ? Ext2Superblock.OFFSET / bs : groupStart(g);
    int offset = g == 0 ? Ext2Superblock.OFFSET % bs : 0;
    BufferHead bh = bc.getblk(block);
    try {
      ByteBuffer d = bh.data();
      if (!bh.isUptodate()) {
        for (int i = 0; i < bs; i++) {
          d.put(i, (byte) 0);
        }
      }
      d.put(offset, s.array());
      bh.set(BhState.UPTODATE);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }

  private void write(long block, ByteBuffer content) throws IOException {
    BufferHead bh = bc.getblk(block);
    try {
      bh.data().put(content.duplicate().clear());
      bh.set(BhState.UPTODATE);
      bc.markBufferDirty(bh);
    } finally {
      bh.put();
    }
  }
}
