package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * ext4 images made by mkfs.ext4 from a generated tree, with its default features and with each
 * variant users meet, read back read-only: every byte, kind, link and name must come back, and
 * extent trees must be as deep as debugfs says they are.
 */
class Ext4ReadTest {
  @TempDir static Path work;
  static Path tree;
  static final long SEED = Long.getLong("ext4.seed", System.nanoTime());

  /** Written 4 KiB pieces with 4 KiB holes between: one extent each, so a deep tree. */
  static final int PIECES = 1000;

  @BeforeAll
  static void makeTree() throws IOException {
    System.out.println("Ext4ReadTest seed " + SEED + " (-Dext4.seed=" + SEED + " to repeat)");
    Random rnd = new Random(SEED);
    tree = Files.createDirectory(work.resolve("tree"));
    for (int size : new int[] {0, 1, 10, 59, 60, 61, 100, 4095, 4096, 4097, 50_000}) {
      Files.write(tree.resolve("f" + size), bytes(rnd, size));
    }
    Files.write(tree.resolve("random"), bytes(rnd, rnd.nextInt(3 << 20)));
    try (FileChannel ch = open(tree.resolve("sparse"))) {
      ch.write(ByteBuffer.wrap(bytes(rnd, 5000)), 0);
      ch.write(ByteBuffer.wrap(bytes(rnd, 3000)), 300_000);
      ch.truncate(400_000);
    }
    try (FileChannel ch = open(tree.resolve("pieces"))) {
      for (int i = 0; i < PIECES; i++) {
        ch.write(ByteBuffer.wrap(bytes(rnd, 4096)), i * 8192L);
      }
    }
    Path sub = Files.createDirectories(tree.resolve("dir/sub"));
    Files.write(sub.resolve("deep.txt"), "deep\n".getBytes(StandardCharsets.US_ASCII));
    Files.createDirectory(tree.resolve("empty-dir"));
    Files.createSymbolicLink(tree.resolve("fast-link"), Path.of("f4096"));
    Files.createSymbolicLink(tree.resolve("slow-link"), Path.of("dir/sub/" + "../sub/".repeat(12)));
    Files.createSymbolicLink(tree.resolve("very-slow-link"), Path.of("x".repeat(1000)));
    Files.createLink(tree.resolve("hard"), tree.resolve("f4097"));
    Path many = Files.createDirectory(tree.resolve("many"));
    for (int i = 0; i < 1500; i++) {
      Files.write(many.resolve("entry-" + i), bytes(rnd, rnd.nextInt(100)));
    }
    Files.write(tree.resolve("ünïcødé ✓ 日本"), "u".getBytes(StandardCharsets.UTF_8));
    Files.write(sub.resolve("n".repeat(255)), "long".getBytes(StandardCharsets.US_ASCII));
  }

  private static FileChannel open(Path p) throws IOException {
    return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  private static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("defaults", List.of()),
        Arguments.of("no extents (indirect-mapped)", List.of("-O", "^extent,^64bit")),
        Arguments.of("64bit", List.of("-O", "64bit")),
        Arguments.of("no metadata_csum", List.of("-O", "^metadata_csum")),
        Arguments.of("1 KiB blocks", List.of("-b", "1024")),
        Arguments.of("128-byte inodes", List.of("-I", "128")),
        Arguments.of("inline_data", List.of("-O", "inline_data")),
        Arguments.of(
            "meta_bg, 96 groups",
            List.of("-O", "meta_bg,^resize_inode", "-b", "1024", "-g", "1024", "-N", "6144")),
        Arguments.of("no flex_bg, uninit_bg", List.of("-O", "^flex_bg,^metadata_csum,uninit_bg")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void mkfsExt4Image_readsBackByteIdentical(String name, List<String> options) throws Exception {
    Path image = work.resolve(name.replaceAll("[^a-z0-9]", "_") + ".img");
    E2fs.mkfsExt4(image, "96M", tree, options.toArray(String[]::new));
    try (Mounted m = Mounted.image(image)) {
      Ext2ReadTest.compareTree(m.fs, "/", tree);
      assertEquals(m.fs.stat("/hard").ino(), m.fs.stat("/f4097").ino());
      assertEquals(2, m.fs.stat("/hard").links());
      for (String dir : List.of("/", "/many", "/dir/sub", "/empty-dir")) {
        Set<String> ours = new HashSet<>();
        for (DirEntry e : m.fs.list(dir)) {
          ours.add(e.name());
        }
        assertEquals(new HashSet<>(E2fs.debugfsNames(image, dir)), ours, "listing of " + dir);
      }
      assertEquals("/dir/sub", resolveDotDot(m));
      for (String file : List.of("/random", "/pieces", "/sparse", "/f100", "/slow-link")) {
        java.util.regex.Matcher count =
            java.util.regex.Pattern.compile("Blockcount: (\\d+)")
                .matcher(E2fs.debugfs(image, false, "stat \"" + file + "\""));
        assertTrue(count.find(), file);
        assertEquals(
            Long.parseLong(count.group(1)), m.fs.lstat(file).blocks(), "i_blocks of " + file);
      }
      try (FileHandle f = m.fs.open("/sparse")) {
        assertEquals(300_000L / 4096 * 4096, f.nextData(8192), "SEEK_DATA over the hole");
        int bs = m.fs.info().blockSize();
        assertEquals((5000L + bs - 1) / bs * bs, f.nextHole(0), "SEEK_HOLE after the first piece");
      }
    }
    if (!options.contains("^extent,^64bit")) {
      int depth = (int) E2fs.extents(image, "/pieces").get(0)[1];
      assertTrue(depth >= 1, "the pieces file has an index level: depth " + depth);
      if (options.contains("1024")) {
        assertEquals(2, depth, "with 1 KiB blocks, two index levels");
      }
    }
  }

  /** ".." of an inline or block directory leads back up. */
  private static String resolveDotDot(Mounted m) throws IOException {
    long sub = m.fs.stat("/dir/sub").ino();
    assertEquals(sub, m.fs.stat("/dir/sub/../sub/.").ino());
    assertEquals(m.fs.stat("/").ino(), m.fs.stat("/empty-dir/..").ino());
    return "/dir/sub";
  }

  @Test
  void indirectAndExtentInodes_coexist() throws Exception {
    Path image = work.resolve("mixed.img");
    E2fs.mkfsExt4(image, "96M", tree, "-O", "^extent,^64bit");
    E2fs.run(List.of(E2fs.tool("tune2fs"), "-O", "extent", image.toString()));
    byte[] data = bytes(new Random(SEED), 200_000);
    Path src = Files.write(work.resolve("added"), data);
    E2fs.debugfs(image, true, "write " + src + " added");
    assertTrue(E2fs.debugfs(image, false, "stat /added").contains("EXTENTS:"), "extent-mapped");
    try (Mounted m = Mounted.image(image)) {
      assertArrayEquals(data, Ext2ReadTest.readAll(m.fs, "/added"));
      Ext2ReadTest.compareTree(m.fs, "/dir", tree.resolve("dir"));
      assertArrayEquals(
          Files.readAllBytes(tree.resolve("random")), Ext2ReadTest.readAll(m.fs, "/random"));
    }
  }

  @Test
  void unwrittenExtent_readsAsZeros() throws Exception {
    Path src = Files.createDirectory(work.resolve("unwritten"));
    byte[] data = bytes(new Random(SEED), 8192);
    Files.write(src.resolve("f"), data);
    Path image = E2fs.mkfsExt4(work.resolve("unwritten.img"), "16M", src, "-b", "4096");
    E2fs.debugfs(image, true, "fallocate /f 2 9");
    E2fs.debugfs(image, true, "sif /f size 40960");
    long[] uninit = null;
    for (long[] row : E2fs.extents(image, "/f")) {
      if (row[6] == 1) {
        uninit = row;
      }
    }
    assertTrue(uninit != null, "debugfs made an unwritten extent");
    // Stale bytes in its blocks, which a read must not return.
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      byte[] junk = new byte[(int) uninit[5] * 4096];
      java.util.Arrays.fill(junk, (byte) 0x5A);
      ch.write(ByteBuffer.wrap(junk), uninit[4] * 4096);
    }
    try (Mounted m = Mounted.image(image)) {
      byte[] all = Ext2ReadTest.readAll(m.fs, "/f");
      assertEquals(40960, all.length);
      assertArrayEquals(data, java.util.Arrays.copyOf(all, 8192));
      for (int i = (int) uninit[2] * 4096; i < all.length; i++) {
        assertEquals(0, all[i], "byte " + i + " of an unwritten extent");
      }
    }
  }

  @Test
  void uninitBg_inodeUninitGroupReadsAsFree_itableUnusedIsReadAsTheKernelDoes() throws Exception {
    Path image =
        E2fs.mkfsExt4(
            work.resolve("uninit.img"), "96M", tree, "-O", "^flex_bg,^metadata_csum,uninit_bg");
    // Every inode but the first one past bg_itable_unused: still read (e2fsck keeps them too).
    E2fs.debugfs(image, true, "set_bg 0 itable_unused 2047");
    E2fs.debugfs(image, true, "set_bg 0 checksum calc");
    try (Mounted m = Mounted.image(image)) {
      Ext2ReadTest.compareTree(m.fs, "/dir", tree.resolve("dir"));
    }
    E2fs.debugfs(image, true, "set_bg 0 flags 1"); // INODE_UNINIT: the root is never initialized
    E2fs.debugfs(image, true, "set_bg 0 checksum calc");
    CorruptFilesystemException e =
        assertThrows(CorruptFilesystemException.class, () -> Mounted.image(image));
    assertEquals(
        "corrupt filesystem: inode 2 lies in group 0, whose inode table was never initialized"
            + " (inode 2)",
        e.getMessage());
  }

  @Test
  void hugeFileFlag_countsBlocksInFilesystemBlocks() throws Exception {
    Path src = Files.createDirectory(work.resolve("huge"));
    Files.write(src.resolve("f"), bytes(new Random(SEED), 40_000));
    Path image = E2fs.mkfsExt4(work.resolve("huge.img"), "16M", src, "-b", "4096");
    E2fs.debugfs(image, true, "sif /f flags 0xC0000"); // EXTENTS_FL | HUGE_FILE_FL
    E2fs.debugfs(image, true, "sif /f blocks 10");
    java.util.regex.Matcher count =
        java.util.regex.Pattern.compile("Blockcount: (\\d+)")
            .matcher(E2fs.debugfs(image, false, "stat /f"));
    assertTrue(count.find());
    // debugfs prints the raw field; the kernel's ext4_inode_blocks() scales it by the flag.
    assertEquals(10, Long.parseLong(count.group(1)), "the raw i_blocks");
    try (Mounted m = Mounted.image(image)) {
      assertEquals(80, m.fs.stat("/f").blocks());
    }
  }

  @Test
  void readWriteMount_ofExt4_isRefusedNamingTheFeatures() throws Exception {
    Path image = E2fs.mkfsExt4(work.resolve("rw.img"), "16M", null);
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("img", image));
    UnsupportedFeatureException e =
        assertThrows(
            UnsupportedFeatureException.class, () -> Mounted.on(dev, Map.of(), 128, false));
    dev.close();
    assertTrue(e.features().containsAll(List.of("extent", "flex_bg")), e.getMessage());
    assertTrue(e.getMessage().contains("mount read-only"), e.getMessage());
    try (Mounted m = Mounted.image(image)) {
      assertTrue(m.fs.info().readOnly());
      assertTrue(m.fs.info().features().containsAll(List.of("extent", "flex_bg", "metadata_csum")));
    }
  }

  @Test
  void ext4WithoutIncompatFeatures_readWrite_isRefusedForItsRoCompatFeatures() throws Exception {
    Path image =
        E2fs.mkfsExt4(
            work.resolve("ro.img"), "16M", null, "-O", "^extent,^64bit,^flex_bg,^has_journal");
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("img", image));
    UnsupportedFeatureException e =
        assertThrows(
            UnsupportedFeatureException.class, () -> Mounted.on(dev, Map.of(), 128, false));
    dev.close();
    assertTrue(e.features().contains("huge_file"), e.getMessage());
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
  }

  @Test
  void refusedFeatures_stayRefusedByName() throws Exception {
    Path image = E2fs.mkfsExt4(work.resolve("casefold.img"), "16M", null, "-O", "casefold");
    UnsupportedFeatureException e =
        assertThrows(UnsupportedFeatureException.class, () -> Mounted.image(image));
    assertEquals(List.of("casefold"), e.features());
    Path big = E2fs.mkfsExt4(work.resolve("bigalloc.img"), "32M", null, "-O", "bigalloc");
    e = assertThrows(UnsupportedFeatureException.class, () -> Mounted.image(big));
    assertEquals(List.of("bigalloc"), e.features());
  }
}
