package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mpage.fs.ext2.disk.Ext4Csum;

/**
 * An ext4 image read byte by byte for the checksum tests, without mounting it: the superblock, the
 * descriptor table (32 or 64 bytes a descriptor, no meta_bg), inodes, and blocks; debugfs finds the
 * blocks of a file or directory and its extent tree nodes.
 */
final class RawExt4 {
  final Path image;
  final byte[] sb;
  final int blockSize;
  final int descSize;
  final long groups;
  final long inodesPerGroup;
  final int inodeSize;
  final long clustersPerGroup;

  RawExt4(Path image) throws IOException {
    this.image = image;
    this.sb = new byte[1024];
    read(1024, ByteBuffer.wrap(sb));
    ByteBuffer b = ByteBuffer.wrap(sb).order(ByteOrder.LITTLE_ENDIAN);
    blockSize = 1024 << b.getInt(24);
    descSize = Ext4Csum.descSize(sb);
    long blocks = Integer.toUnsignedLong(b.getInt(4));
    if (descSize > 32) {
      blocks |= Integer.toUnsignedLong(b.getInt(0x150)) << 32;
    }
    long first = Integer.toUnsignedLong(b.getInt(20));
    long perGroup = Integer.toUnsignedLong(b.getInt(32));
    groups = (blocks - first + perGroup - 1) / perGroup;
    clustersPerGroup = Integer.toUnsignedLong(b.getInt(36));
    inodesPerGroup = Integer.toUnsignedLong(b.getInt(40));
    inodeSize = Short.toUnsignedInt(b.getShort(88));
  }

  private void read(long at, ByteBuffer dst) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      while (dst.hasRemaining()) {
        if (ch.read(dst, at + dst.position()) < 0) {
          throw new IOException("short image");
        }
      }
    }
    dst.flip();
  }

  ByteBuffer block(long nr) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blockSize);
    read(nr * blockSize, b);
    return b;
  }

  /** The block of the superblock (0 with 4K blocks, 1 with 1K). */
  long superBlockNr() {
    return 1024 / blockSize;
  }

  /** Where descriptor {@code g} is: its table block and offset in it. */
  long descBlock(long g) {
    return superBlockNr() + 1 + g * descSize / blockSize;
  }

  int descOffset(long g) {
    return (int) (g * descSize % blockSize);
  }

  ByteBuffer desc(long g) throws IOException {
    ByteBuffer b = block(descBlock(g)).order(ByteOrder.LITTLE_ENDIAN);
    return b.slice(descOffset(g), descSize).order(ByteOrder.LITTLE_ENDIAN);
  }

  private long descAddress(ByteBuffer d, int lo, int hi) {
    long v = Integer.toUnsignedLong(d.getInt(lo));
    if (descSize >= 64) {
      v |= Integer.toUnsignedLong(d.getInt(hi)) << 32;
    }
    return v;
  }

  long blockBitmap(ByteBuffer d) {
    return descAddress(d, 0, 0x20);
  }

  long inodeBitmap(ByteBuffer d) {
    return descAddress(d, 4, 0x24);
  }

  long inodeTable(ByteBuffer d) {
    return descAddress(d, 8, 0x28);
  }

  int flags(ByteBuffer d) {
    return Short.toUnsignedInt(d.getShort(Ext4Csum.BG_FLAGS));
  }

  /** Inodes of the group that were ever initialised (below bg_itable_unused). */
  long usedInodes(ByteBuffer d) {
    long unused = Short.toUnsignedInt(d.getShort(0x1C));
    if (descSize >= 64) {
      unused |= (long) Short.toUnsignedInt(d.getShort(0x32)) << 16;
    }
    return inodesPerGroup - unused;
  }

  /** The inode table block holding {@code ino}, and the inode's offset in it. */
  long inodeBlock(long ino) throws IOException {
    long g = (ino - 1) / inodesPerGroup;
    long byteOff = (ino - 1) % inodesPerGroup * inodeSize;
    return inodeTable(desc(g)) + byteOff / blockSize;
  }

  int inodeOffset(long ino) {
    return (int) ((ino - 1) % inodesPerGroup * inodeSize % blockSize);
  }

  /** The raw inode {@code ino} ({@code inodeSize} bytes). */
  ByteBuffer inode(long ino) throws IOException {
    return block(inodeBlock(ino)).slice(inodeOffset(ino), inodeSize).order(ByteOrder.LITTLE_ENDIAN);
  }

  int generation(long ino) throws IOException {
    return inode(ino).getInt(Ext4Csum.I_GENERATION);
  }

  int inodeFlags(long ino) throws IOException {
    return inode(ino).getInt(0x20);
  }

  /** The inode number of {@code path}, as debugfs finds it. */
  long ino(String path) throws IOException, InterruptedException {
    Matcher m =
        Pattern.compile("Inode: (\\d+)")
            .matcher(E2fs.debugfs(image, false, "stat \"" + path + "\""));
    if (!m.find()) {
      throw new IOException("no inode for " + path);
    }
    return Long.parseLong(m.group(1));
  }

  // " 1/ 1   2/ 13     1 -     1  2192 -  2192      1": level/depth, entry/entries, logical
  // first - last, physical (first - last for a leaf), length
  private static final Pattern EXTENT_LINE =
      Pattern.compile("^\\s*(\\d+)/\\s*(\\d+)\\s+\\d+/\\s*\\d+\\s+(\\d+)\\s+-\\s+(\\d+)\\s+(\\d+)");

  private List<long[]> extentLines(String path) throws IOException, InterruptedException {
    List<long[]> out = new ArrayList<>();
    for (String line : E2fs.debugfs(image, false, "ex \"" + path + "\"").split("\n", -1)) {
      Matcher m = EXTENT_LINE.matcher(line);
      if (m.find()) {
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) {
          v[i] = Long.parseLong(m.group(i + 1));
        }
        out.add(v);
      }
    }
    return out;
  }

  /** The data blocks of {@code path} in logical order, from its extent leaves (no holes). */
  List<Long> dataBlocks(String path) throws IOException, InterruptedException {
    List<Long> out = new ArrayList<>();
    for (long[] v : extentLines(path)) {
      if (v[0] == v[1]) {
        for (long l = v[2]; l <= v[3]; l++) {
          if (l != out.size()) {
            throw new IOException(path + " has a hole at " + out.size());
          }
          out.add(v[4] + l - v[2]);
        }
      }
    }
    return out;
  }

  /** The extent tree nodes below the inode of {@code path} (debugfs {@code ex}'s index lines). */
  List<Long> extentNodes(String path) throws IOException, InterruptedException {
    List<Long> out = new ArrayList<>();
    for (long[] v : extentLines(path)) {
      if (v[0] < v[1]) {
        out.add(v[4]);
      }
    }
    return out;
  }
}
