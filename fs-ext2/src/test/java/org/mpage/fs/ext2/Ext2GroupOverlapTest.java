package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.FileHandle;

/**
 * Group descriptors whose bitmaps, inode table and superblock/descriptor copy overlap: e2fsck
 * refuses them (ext2fs_check_desc) and so does a read-write mount; a read-only mount is allowed
 * unless the inode table is part of the overlap. The image is mke2fs's 16 MiB with 1 KiB blocks:
 *
 * <pre>
 *   group 0: superblock 1, descriptors 2, reserved GDT 3-65, block bitmap 66, inode bitmap 67,
 *            inode table 68-579
 *   group 1: superblock 8193, descriptors 8194, reserved GDT 8195-8257, block bitmap 8258,
 *            inode bitmap 8259, inode table 8260-8771
 * </pre>
 */
class Ext2GroupOverlapTest {
  static final int FILES = 50;

  @TempDir Path work;
  Path image;

  @BeforeEach
  void makeImage() throws Exception {
    Path src = Files.createDirectory(work.resolve("src"));
    for (int i = 0; i < FILES; i++) {
      Files.write(src.resolve("f" + i), Ext2SuperblockCheckTest.content(i));
    }
    image = E2fs.mkfs(work.resolve("o.img"), "16M", src, "-b", "1024");
    String layout = E2fs.run(List.of(E2fs.tool("dumpe2fs"), image.toString()));
    assertTrue(layout.contains("Inode table at 8260-8771"), layout); // the layout drawn above
  }

  /** Sets field {@code fieldOffset} (0 block bitmap, 4 inode bitmap) of group {@code g}. */
  private void setDescriptor(int g, int fieldOffset, long block) throws Exception {
    Ext2SuperblockCheckTest.poke32(image, 2 * 1024 + g * 32 + fieldOffset, block);
  }

  private String refusal(boolean readOnly) {
    return assertThrows(
            CorruptFilesystemException.class,
            () ->
                (readOnly ? Mounted.image(image) : Ext2SuperblockCheckTest.mountReadWrite(image))
                    .close())
        .problem();
  }

  private void e2fsckAgrees() throws Exception {
    String says = Ext2SuperblockCheckTest.fsckSays(image);
    assertTrue(says.contains("Corrupt group descriptor"), says);
  }

  private void readsRight() throws Exception {
    try (Mounted m = Mounted.image(image)) {
      for (int i = 0; i < FILES; i++) {
        assertArrayEquals(
            Ext2SuperblockCheckTest.content(i), Ext2ReadTest.readAll(m.fs, "/f" + i), "/f" + i);
      }
    }
  }

  static Stream<Arguments> bitmapOverlaps() {
    return Stream.of(
        Arguments.of(
            0,
            4,
            66L,
            "group descriptor 0: block bitmap (block 66) overlaps the inode bitmap (block 66)"),
        Arguments.of(
            1,
            0,
            8200L,
            "group descriptor 1: block bitmap (block 8200) overlaps the reserved GDT blocks"
                + " (blocks 8195..8257)"),
        Arguments.of(
            1,
            4,
            8193L,
            "group descriptor 1: inode bitmap (block 8193) overlaps the backup superblock (block"
                + " 8193)"),
        Arguments.of(
            1,
            4,
            8194L,
            "group descriptor 1: inode bitmap (block 8194) overlaps the backup group descriptors"
                + " (block 8194)"));
  }

  @ParameterizedTest
  @MethodSource("bitmapOverlaps")
  void bitmapOverlap_refusedReadWrite_readOnlyReadsRight(
      int group, int field, long block, String clash) throws Exception {
    setDescriptor(group, field, block);
    byte[] before = Files.readAllBytes(image);
    assertEquals(
        clash + "; writes would trust a wrong bitmap: mount read-only, or run e2fsck",
        refusal(false));
    assertArrayEquals(before, Files.readAllBytes(image), "a refused mount writes nothing");
    readsRight();
    e2fsckAgrees();
  }

  @Test
  void blockBitmapInsideTheInodeTable_refusedEvenReadOnly() throws Exception {
    setDescriptor(1, 0, 8265);
    String expected =
        "group descriptor 1: block bitmap (block 8265) overlaps the inode table (blocks"
            + " 8260..8771); the inode table may be the misplaced one: run e2fsck";
    assertEquals(expected, refusal(false));
    assertEquals(expected, refusal(true));
    e2fsckAgrees();
  }

  static Stream<Arguments> cleanImages() {
    List<Arguments> out = new ArrayList<>();
    for (int bs : new int[] {1024, 2048, 4096}) {
      // Many small groups: with 1 and 2 KiB blocks a descriptor table of 2 blocks and the most
      // reserved GDT blocks one block can address (more groups at 4 KiB turn on meta_bg).
      String[] manyGroups = {"-g", bs == 4096 ? "4096" : "1024", "-N", "4096"};
      String[][] featureSets = {
        {},
        {"-O", "^resize_inode"},
        {"-O", "^sparse_super,^resize_inode"},
        {"-O", "sparse_super2"},
        manyGroups,
        {"-r", "0"},
      };
      for (String[] f : featureSets) {
        out.add(Arguments.of(bs, f));
      }
    }
    return out.stream();
  }

  /** Every layout mke2fs makes passes the checks: mounted read-write, written, still clean. */
  @ParameterizedTest
  @MethodSource("cleanImages")
  void cleanMke2fsImage_mountsReadWrite(int blockSize, String[] features) throws Exception {
    // 8 groups of mke2fs's default size, so that sparse_super skips some backups.
    String size = blockSize == 1024 ? "64M" : blockSize == 2048 ? "256M" : "1G";
    List<String> options = new ArrayList<>(List.of("-b", "" + blockSize));
    options.addAll(List.of(features));
    Path clean = E2fs.mkfs(work.resolve("clean.img"), size, null, options.toArray(new String[0]));
    try (Mounted m = Ext2SuperblockCheckTest.mountReadWrite(clean)) {
      try (FileHandle f = m.fs.openWrite("/written", true, true, 0644)) {
        f.write(0, ByteBuffer.wrap("by mpage".repeat(1000).getBytes(StandardCharsets.US_ASCII)));
      }
    }
    Ext2RandomOpsTest.fsck(clean);
  }
}
