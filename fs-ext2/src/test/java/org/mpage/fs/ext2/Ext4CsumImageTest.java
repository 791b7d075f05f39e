package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext4Chksum;
import org.mpage.fs.ext2.disk.Ext4Csum;

/**
 * {@link Ext4Csum} on the raw bytes of default {@code mkfs.ext4} images (extents, 64bit, flex_bg,
 * metadata_csum), without mounting them: e2fsprogs wrote every checksum, so each must verify, and
 * the values dumpe2fs prints must be the ones computed here.
 */
class Ext4CsumImageTest {
  @TempDir static Path work;
  static Path tree;

  @BeforeAll
  static void makeTree() throws IOException {
    tree = Files.createDirectory(work.resolve("tree"));
    Files.writeString(tree.resolve("a"), "hello\n");
    // Data blocks between holes (mke2fs -d leaves zero blocks out): one extent each, so more
    // extents than the inode holds and an extent tree of depth 1.
    byte[] sparse = new byte[160 * 4096];
    for (int i = 0; i < sparse.length; i += 4 * 4096) {
      sparse[i] = 'x';
    }
    Files.write(tree.resolve("sparse"), sparse);
    Path big = Files.createDirectory(tree.resolve("big"));
    Path lng = Files.createDirectory(tree.resolve("long"));
    String pad = "n".repeat(190);
    for (int i = 0; i < 1500; i++) {
      Files.writeString(big.resolve("file_" + i), "");
      Files.writeString(lng.resolve(pad + i), "");
    }
  }

  /** mkfs.ext4 with {@code options}, then e2fsck -fD to index the large directories. */
  private static RawExt4 image(String name, String... options) throws Exception {
    Path img = work.resolve(name);
    List<String> cmd = new ArrayList<>(List.of(E2fs.tool("mke2fs"), "-q", "-F", "-t", "ext4"));
    cmd.addAll(List.of(options));
    cmd.addAll(List.of("-d", tree.toString(), img.toString(), "64M"));
    E2fs.run(cmd);
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fyD", img.toString()));
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
    return new RawExt4(img);
  }

  /** dumpe2fs's figures: "Checksum", "Checksum seed", and per group "g", "g.block", "g.inode". */
  private static Map<String, Long> dumpe2fs(RawExt4 fs) throws Exception {
    String text = E2fs.run(List.of(E2fs.tool("dumpe2fs"), fs.image.toString()));
    Map<String, Long> out = new HashMap<>();
    Matcher m = Pattern.compile("(?m)^(Checksum|Checksum seed):\\s+0x([0-9a-f]+)").matcher(text);
    while (m.find()) {
      out.put(m.group(1), Long.parseLong(m.group(2), 16));
    }
    long g = -1;
    for (String line : text.split("\n", -1)) {
      Matcher group = Pattern.compile("^Group (\\d+): .*csum 0x([0-9a-f]+)").matcher(line);
      Matcher bitmap =
          Pattern.compile("^\\s+(Block|Inode) bitmap at .*csum 0x([0-9a-f]+)").matcher(line);
      if (group.find()) {
        g = Long.parseLong(group.group(1));
        out.put(Long.toString(g), Long.parseLong(group.group(2), 16));
      } else if (bitmap.find()) {
        out.put(
            g + "." + bitmap.group(1).toLowerCase(java.util.Locale.ROOT),
            Long.parseLong(bitmap.group(2), 16));
      }
    }
    return out;
  }

  private static void ok(Ext4Csum.Sum s, String what) {
    assertTrue(s.ok(), what + ": " + s);
  }

  @Test
  void defaultExt4With4kBlocks() throws Exception {
    RawExt4 fs = image("e4k.img", "-b", "4096");
    assertEquals(64, fs.descSize);
    int seed = Ext4Csum.fsSeed(fs.sb);
    byte[] uuid = java.util.Arrays.copyOfRange(fs.sb, 104, 120);
    assertEquals(Ext4Chksum.from(~0).update(uuid).value(), seed);
    checkAll(fs, seed, dumpe2fs(fs));
  }

  @Test
  void csumSeedWith1kBlocksAndAChangedUuid() throws Exception {
    RawExt4 fs = image("e1k.img", "-b", "1024", "-O", "metadata_csum_seed");
    E2fs.run(
        List.of(
            E2fs.tool("tune2fs"),
            "-U",
            "0123abcd-4567-89ef-0123-456789abcdef",
            fs.image.toString()));
    fs = new RawExt4(fs.image);
    Map<String, Long> dump = dumpe2fs(fs);
    int seed = Ext4Csum.fsSeed(fs.sb);
    byte[] uuid = java.util.Arrays.copyOfRange(fs.sb, 104, 120);
    assertEquals((long) dump.get("Checksum seed"), Integer.toUnsignedLong(seed));
    assertNotEquals(Ext4Chksum.from(~0).update(uuid).value(), seed, "the seed outlives the UUID");
    Stats st = checkAll(fs, seed, dump);
    assertTrue(st.dxInterior > 0, "a two-level htree in /long: " + st.dxInterior);
    // With the new UUID's crc as seed, nothing seeded verifies.
    assertFalse(Ext4Csum.groupDescCrc32c(seed + 1, 0, fs.desc(0), 0, fs.descSize).ok());
  }

  @Test
  void uninitBgCrc16With64ByteDescriptors() throws Exception {
    RawExt4 fs = image("u64.img", "-O", "^metadata_csum,uninit_bg");
    assertEquals(64, fs.descSize);
    checkCrc16(fs);
  }

  @Test
  void uninitBgCrc16With32ByteDescriptors() throws Exception {
    RawExt4 fs = image("u32.img", "-O", "^metadata_csum,uninit_bg,^64bit");
    assertEquals(32, fs.descSize);
    checkCrc16(fs);
  }

  private static void checkCrc16(RawExt4 fs) throws Exception {
    Map<String, Long> dump = dumpe2fs(fs);
    byte[] uuid = java.util.Arrays.copyOfRange(fs.sb, 104, 120);
    for (long g = 0; g < fs.groups; g++) {
      Ext4Csum.Sum s = Ext4Csum.groupDescCrc16(uuid, g, fs.desc(g), 0, fs.descSize);
      ok(s, "group " + g);
      assertEquals((long) dump.get(Long.toString(g)), s.computed());
      assertFalse(Ext4Csum.groupDescCrc16(uuid, g + 1, fs.desc(g), 0, fs.descSize).ok());
    }
  }

  record Stats(int inodes, int extentNodes, int leaves, int dxRoots, int dxInterior) {}

  private static Stats checkAll(RawExt4 fs, int seed, Map<String, Long> dump) throws Exception {
    Ext4Csum.Sum sb = Ext4Csum.superblock(fs.sb);
    ok(sb, "superblock");
    assertEquals((long) dump.get("Checksum"), Integer.toUnsignedLong(sb.computed()));

    int inodes = 0;
    for (long g = 0; g < fs.groups; g++) {
      ByteBuffer d = fs.desc(g);
      Ext4Csum.Sum gd = Ext4Csum.groupDescCrc32c(seed, g, fs.desc(g), 0, fs.descSize);
      ok(gd, "group " + g);
      assertEquals((long) dump.get(Long.toString(g)), gd.computed());
      ByteBuffer table = fs.block(fs.descBlock(g));
      ok(Ext4Csum.groupDescCrc32c(seed, g, table, fs.descOffset(g), fs.descSize), "in its block");
      if ((fs.flags(d) & Ext4Csum.BG_BLOCK_UNINIT) == 0) {
        Ext4Csum.Sum bb =
            Ext4Csum.blockBitmap(
                seed, fs.block(fs.blockBitmap(d)), fs.clustersPerGroup, d, 0, fs.descSize);
        ok(bb, "block bitmap " + g);
        assertEquals((long) dump.get(g + ".block"), Integer.toUnsignedLong(bb.computed()));
      }
      if ((fs.flags(d) & Ext4Csum.BG_INODE_UNINIT) == 0) {
        Ext4Csum.Sum ib =
            Ext4Csum.inodeBitmap(
                seed, fs.block(fs.inodeBitmap(d)), fs.inodesPerGroup, d, 0, fs.descSize);
        ok(ib, "inode bitmap " + g);
        assertEquals((long) dump.get(g + ".inode"), Integer.toUnsignedLong(ib.computed()));
        for (long i = 0; i < fs.usedInodes(d); i++) {
          long ino = g * fs.inodesPerGroup + i + 1;
          ByteBuffer table2 = fs.block(fs.inodeBlock(ino));
          if (allZero(table2, fs.inodeOffset(ino), fs.inodeSize)) {
            continue;
          }
          Ext4Csum.Sum s = Ext4Csum.inode(seed, ino, table2, fs.inodeOffset(ino), fs.inodeSize);
          ok(s, "inode " + ino);
          if (s.bits() == 32) {
            inodes++; // every inode with room for the high half (reserved ones may lack it)
          }
        }
      }
    }
    assertTrue(inodes > 3000, "inodes checked: " + inodes);

    int nodes = 0;
    for (String f : List.of("/sparse", "/big", "/long")) {
      long ino = fs.ino(f);
      int iseed = Ext4Csum.inodeSeed(seed, ino, fs.generation(ino));
      for (long nr : fs.extentNodes(f)) {
        ok(Ext4Csum.extentBlock(iseed, fs.block(nr)), f + " extent node " + nr);
        assertFalse(Ext4Csum.extentBlock(iseed ^ 1, fs.block(nr)).ok());
        nodes++;
      }
    }
    assertTrue(nodes >= 1, "extent nodes: " + nodes);

    int leaves = 0;
    int roots = 0;
    int interior = 0;
    for (String dir : List.of("/", "/big", "/long", "/lost+found")) {
      long ino = fs.ino(dir);
      int iseed = Ext4Csum.inodeSeed(seed, ino, fs.generation(ino));
      boolean indexed = (fs.inodeFlags(ino) & Ext2Inode.INDEX_FL) != 0;
      List<Long> blocks = fs.dataBlocks(dir);
      for (int l = 0; l < blocks.size(); l++) {
        ByteBuffer b = fs.block(blocks.get(l));
        String what = dir + " block " + l;
        if (Ext4Csum.isDxBlock(b, l, indexed)) {
          ok(Ext4Csum.dxNode(iseed, b), what);
          if (l == 0) {
            roots++;
          } else {
            interior++;
          }
        } else {
          ok(Ext4Csum.dirLeaf(iseed, b), what);
          leaves++;
        }
      }
    }
    assertTrue(roots >= 2, "/big and /long indexed: " + roots);
    assertTrue(leaves > 20, "leaves: " + leaves);
    Stats st = new Stats(inodes, nodes, leaves, roots, interior);
    System.out.println(fs.image.getFileName() + ": verified " + st);
    return st;
  }

  private static boolean allZero(ByteBuffer b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
