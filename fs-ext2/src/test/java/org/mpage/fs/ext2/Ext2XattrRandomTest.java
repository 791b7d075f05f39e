package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mpage.api.fs.XattrException;
import org.mpage.api.fs.XattrMode;
import org.mpage.fs.ext2.disk.Ext2Inode;

/**
 * Random attribute operations against an in-memory model: names and values from small pools so that
 * equal sets arise and blocks are shared and un-shared, sizes up to near the block size, files
 * deleted and made again, a set copied from file to file (which must then share the source's
 * block). After each batch the image is unmounted, {@code e2fsck -fn} must find it clean (block
 * counts, refcounts, hashes), and debugfs and a fresh mount must give back the model; at the end
 * every attribute goes and the free block count must be what it was before the first. The seed is
 * printed and in every failure message; {@code -Dxattr.seed=N} runs one seed more.
 */
class Ext2XattrRandomTest {
  private static final int FILES = 12;
  private static final List<String> NAMES =
      List.of(
          "user.a",
          "user.b",
          "user.comment",
          "trusted.t",
          "security.selinux",
          "user.long." + "x".repeat(60));

  @TempDir Path work;

  static Stream<Arguments> cases() {
    List<Arguments> out =
        new ArrayList<>(
            List.of(
                Arguments.of("mke2fs", 128, 1024, 21L),
                Arguments.of("mke2fs", 256, 1024, 22L),
                Arguments.of("mke2fs", 256, 4096, 23L),
                Arguments.of("mkfs", 128, 1024, 24L)));
    String extra = System.getProperty("xattr.seed");
    if (extra != null) {
      out.add(Arguments.of("mke2fs", 256, 1024, Long.parseLong(extra)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}-byte inodes {2}-byte blocks, seed {3}")
  @MethodSource("cases")
  void randomOperations_matchTheModel_andLeaveACleanImage(
      String maker, int inodeSize, int blockSize, long seed) throws Exception {
    String where = "seed " + seed + ", " + maker + " -I " + inodeSize + " -b " + blockSize;
    System.out.println("Ext2XattrRandomTest: " + where);
    Path img = work.resolve("r.img");
    if (maker.equals("mke2fs")) {
      E2fs.mkfs(img, "8M", null, "-b", "" + blockSize, "-I", "" + inodeSize);
    } else {
      Ext2MkfsTest.format(img, 8L << 20, blockSize);
    }
    try (Mounted m = Ext2XattrTest.rw(img)) {
      for (int i = 0; i < FILES; i++) {
        m.fs.openWrite("/f" + i, true, false, 0644).close();
      }
    }
    long free0 = Ext2XattrTest.freeBlocks(img);
    Random rnd = new Random(seed);
    List<Map<String, byte[]>> model = new ArrayList<>();
    for (int i = 0; i < FILES; i++) {
      model.add(new TreeMap<>());
    }
    List<byte[]> values = valuePool(rnd, blockSize);
    for (int batch = 0; batch < 4; batch++) {
      try (Mounted m = Ext2XattrTest.rw(img)) {
        for (int op = 0; op < 150; op++) {
          step(
              m,
              model,
              rnd,
              values,
              blockSize,
              inodeSize,
              where + ", batch " + batch + " op " + op);
        }
      }
      check(img, model, where + ", after batch " + batch);
    }
    try (Mounted m = Ext2XattrTest.rw(img)) {
      for (int i = 0; i < FILES; i++) {
        for (String name : model.get(i).keySet()) {
          m.fs.removeXattr("/f" + i, name);
        }
        model.get(i).clear();
      }
    }
    check(img, model, where + ", all removed");
    assertEquals(free0, Ext2XattrTest.freeBlocks(img), where + ": blocks not freed");
  }

  /** Values of every size class: empty, small, middling, near the block size; some repeated. */
  private static List<byte[]> valuePool(Random rnd, int blockSize) {
    List<byte[]> pool = new ArrayList<>();
    int[] sizes = {0, 1, 3, 4, 17, 40, 100, 333, blockSize / 2, blockSize - 200, blockSize - 120};
    for (int size : sizes) {
      byte[] v = new byte[size];
      rnd.nextBytes(v);
      pool.add(v);
    }
    return pool;
  }

  private static void step(
      Mounted m,
      List<Map<String, byte[]>> model,
      Random rnd,
      List<byte[]> values,
      int blockSize,
      int inodeSize,
      String where)
      throws Exception {
    int i = rnd.nextInt(FILES);
    String path = "/f" + i;
    Map<String, byte[]> attrs = model.get(i);
    String name = NAMES.get(rnd.nextInt(NAMES.size()));
    int kind = rnd.nextInt(100);
    if (kind < 55) {
      XattrMode mode =
          kind < 35
              ? XattrMode.CREATE_OR_REPLACE
              : kind < 45 ? XattrMode.CREATE : XattrMode.REPLACE;
      // small values more often, so that sets repeat
      byte[] value = values.get(rnd.nextInt(rnd.nextBoolean() ? 4 : values.size()));
      set(m, attrs, path, name, value, mode, blockSize, where);
    } else if (kind < 80) {
      try {
        m.fs.removeXattr(path, name);
        assertTrue(attrs.remove(name) != null, where + ": removed a missing " + name);
      } catch (XattrException e) {
        assertEquals(XattrException.Kind.NO_SUCH_ATTRIBUTE, e.kind(), where);
        assertTrue(!attrs.containsKey(name), where + ": " + e);
      }
    } else if (kind < 92) {
      copySet(m, model, rnd.nextInt(FILES), i, inodeSize, where);
    } else {
      m.fs.unlink(path);
      m.fs.openWrite(path, true, false, 0644).close();
      attrs.clear();
    }
    if (rnd.nextInt(10) == 0) {
      assertEquals(
          new java.util.HashSet<>(attrs.keySet()),
          new java.util.HashSet<>(m.fs.listXattr(path)),
          where);
    }
  }

  private static void set(
      Mounted m,
      Map<String, byte[]> attrs,
      String path,
      String name,
      byte[] value,
      XattrMode mode,
      int blockSize,
      String where)
      throws Exception {
    boolean had = attrs.containsKey(name);
    try {
      m.fs.setXattr(path, name, value, mode);
      assertTrue(mode != XattrMode.CREATE || !had, where + ": created an existing " + name);
      assertTrue(mode != XattrMode.REPLACE || had, where + ": replaced a missing " + name);
      attrs.put(name, value);
    } catch (XattrException e) {
      switch (e.kind()) {
        case EXISTS -> assertTrue(had && mode == XattrMode.CREATE, where + ": " + e);
        case NO_SUCH_ATTRIBUTE -> assertTrue(!had && mode == XattrMode.REPLACE, where + ": " + e);
        case NO_SPACE -> {
          // only when the whole set would not fit in a block by itself
          Map<String, byte[]> after = new TreeMap<>(attrs);
          after.put(name, value);
          assertTrue(32 + footprint(after) > blockSize, where + ": " + e);
        }
        default -> fail(where + ": " + e);
      }
    }
  }

  /** Bytes a set takes in a block's area: entries, values, the terminator. */
  private static int footprint(Map<String, byte[]> attrs) {
    int n = 4;
    for (var e : attrs.entrySet()) {
      int prefix = e.getKey().indexOf('.') + 1;
      int nameLen = e.getKey().length() - prefix;
      n += ((nameLen + 16 + 3) & ~3) + ((e.getValue().length + 3) & ~3);
    }
    return n;
  }

  /**
   * Gives file {@code to} the attributes of file {@code from}; with 128-byte inodes (everything in
   * the block) it must then share the block of {@code from}, whose block the reads put in the
   * cache.
   */
  private static void copySet(
      Mounted m, List<Map<String, byte[]>> model, int from, int to, int inodeSize, String where)
      throws Exception {
    if (from == to) {
      return;
    }
    Map<String, byte[]> src = model.get(from);
    Map<String, byte[]> dst = model.get(to);
    for (String name : new ArrayList<>(dst.keySet())) {
      if (!java.util.Arrays.equals(src.get(name), dst.get(name))) {
        m.fs.removeXattr("/f" + to, name); // first, so that no step holds both sets
        dst.remove(name);
      }
    }
    for (String name : m.fs.listXattr("/f" + from)) {
      byte[] v = m.fs.getXattr("/f" + from, name);
      assertArrayEquals(src.get(name), v, where + ": " + name);
      m.fs.setXattr("/f" + to, name, v, XattrMode.CREATE_OR_REPLACE);
      dst.put(name, v);
    }
    if (inodeSize == 128 && !src.isEmpty()) {
      m.fs.listXattr("/f" + from); // the source's block into the cache again
      Ext2FileSystem fs = (Ext2FileSystem) m.fs;
      Ext2Inode a = fs.inodes().iget(m.fs.lstat("/f" + from).ino());
      Ext2Inode b = fs.inodes().iget(m.fs.lstat("/f" + to).ino());
      assertEquals(a.fileAcl, b.fileAcl, where + ": equal sets in two blocks");
    }
  }

  /** e2fsck clean, and debugfs and a fresh read-only mount give back the model. */
  private static void check(Path img, List<Map<String, byte[]>> model, String where)
      throws Exception {
    try {
      E2fs.fsckClean(img);
    } catch (java.io.IOException e) {
      fail(where + ": " + e.getMessage());
    }
    try (Mounted m = Mounted.image(img)) {
      for (int i = 0; i < FILES; i++) {
        Map<String, byte[]> attrs = model.get(i);
        assertEquals(
            new java.util.HashSet<>(attrs.keySet()),
            new java.util.HashSet<>(m.fs.listXattr("/f" + i)),
            where + ", /f" + i);
        for (var e : attrs.entrySet()) {
          assertArrayEquals(e.getValue(), m.fs.getXattr("/f" + i, e.getKey()), where);
        }
      }
    }
    for (int i = 0; i < FILES; i += 3) {
      assertEquals(
          new java.util.HashSet<>(model.get(i).keySet()),
          new java.util.HashSet<>(E2fs.eaList(img, "/f" + i)),
          where + ", debugfs ea_list /f" + i);
      for (var e : model.get(i).entrySet()) {
        assertArrayEquals(
            e.getValue(), E2fs.eaGet(img, "/f" + i, e.getKey(), false), where + " ea_get");
      }
    }
  }
}
