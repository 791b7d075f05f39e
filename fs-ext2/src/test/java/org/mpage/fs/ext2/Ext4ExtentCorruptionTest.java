package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * Extent trees broken byte by byte in an mkfs.ext4 image: each read ends in one clear {@link
 * CorruptFilesystemException} naming the inode and what failed, and never hangs. The images are
 * made without metadata_csum, so that what is tested is the tree's own checks, not a checksum.
 */
class Ext4ExtentCorruptionTest {
  @TempDir static Path work;
  static Path pristine;

  /** 1 KiB blocks, a file of 1000 separate 4 KiB pieces (a tree of depth 2), a small file. */
  @BeforeAll
  static void makeImage() throws Exception {
    Path src = Files.createDirectory(work.resolve("src"));
    Random rnd = new Random(7);
    try (FileChannel ch =
        FileChannel.open(
            src.resolve("deep"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < 1000; i++) {
        byte[] piece = new byte[4096];
        rnd.nextBytes(piece);
        ch.write(ByteBuffer.wrap(piece), i * 8192L);
      }
    }
    byte[] small = new byte[20_000];
    rnd.nextBytes(small);
    Files.write(src.resolve("small"), small);
    pristine =
        E2fs.mkfsExt4(
            work.resolve("pristine.img"), "32M", src, "-b", "1024", "-O", "^metadata_csum");
    List<long[]> rows = E2fs.extents(pristine, "/deep");
    assertTrue(rows.get(0)[1] == 2, "depth 2 tree expected, debugfs says " + rows.get(0)[1]);
  }

  /** A copy of the image with {@code edit} applied, then every file read. */
  private static CorruptFilesystemException readBroken(String name, Edit edit) throws Exception {
    Path image = work.resolve(name + ".img");
    Files.copy(pristine, image, StandardCopyOption.REPLACE_EXISTING);
    edit.apply(image);
    return assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          try (Mounted m = Mounted.image(image)) {
            return assertThrows(
                CorruptFilesystemException.class,
                () -> {
                  Ext2ReadTest.readAll(m.fs, "/deep");
                  Ext2ReadTest.readAll(m.fs, "/small");
                });
          }
        });
  }

  @FunctionalInterface
  private interface Edit {
    void apply(Path image) throws Exception;
  }

  /** Byte offset of a file's i_block (its extent root) in the image. */
  private static long root(Path image, String path) throws Exception {
    long[] at = E2fs.imap(image, path);
    return at[0] * 1024 + at[1] + 40;
  }

  private static void putShort(Path image, long offset, int value) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value);
    write(image, offset, b.flip());
  }

  private static void putInt(Path image, long offset, long value) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value);
    write(image, offset, b.flip());
  }

  private static void write(Path image, long offset, ByteBuffer b) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.write(b, offset);
    }
  }

  /** The first index node below the root of /deep (depth 1), from debugfs. */
  private static long firstIndexNode() throws Exception {
    return E2fs.extents(pristine, "/deep").get(0)[4];
  }

  private static void assertNames(CorruptFilesystemException e, String what) {
    assertTrue(e.getMessage().contains(what), e.getMessage());
    assertTrue(e.inode() > 0, "names the inode: " + e.getMessage());
  }

  @Test
  void badMagicInTheRoot() throws Exception {
    CorruptFilesystemException e =
        readBroken("magic-root", img -> putShort(img, root(img, "/deep"), 0x1234));
    assertNames(e, "bad extent header magic 0x1234 in the inode's extent root");
  }

  @Test
  void badMagicInANode() throws Exception {
    long node = firstIndexNode();
    CorruptFilesystemException e = readBroken("magic-node", img -> putShort(img, node * 1024, 0));
    assertNames(e, "bad extent header magic 0x0000 in extent block " + node);
  }

  @Test
  void extentPastTheEndOfTheFilesystem() throws Exception {
    // /small is one extent in its root: entry 0 at +12, ee_start_lo at +8 of it.
    CorruptFilesystemException e =
        readBroken("past-end", img -> putInt(img, root(img, "/small") + 12 + 8, 40_000));
    assertNames(e, "outside the filesystem");
  }

  @Test
  void depthThatLies() throws Exception {
    CorruptFilesystemException e =
        readBroken("depth-lie", img -> putShort(img, root(img, "/deep") + 6, 1));
    assertNames(e, "where its parent implies 0");
  }

  @Test
  void depthBeyondTheMaximum() throws Exception {
    CorruptFilesystemException e =
        readBroken("depth-6", img -> putShort(img, root(img, "/deep") + 6, 6));
    assertNames(e, "extent tree depth 6 in the inode's extent root (at most 5)");
  }

  @Test
  void moreEntriesThanRoom() throws Exception {
    CorruptFilesystemException e =
        readBroken("entries", img -> putShort(img, root(img, "/deep") + 2, 5));
    assertNames(e, "5 entries in the inode's extent root of capacity 4");
  }

  @Test
  void indexPointingToItsOwnNode() throws Exception {
    long node = firstIndexNode();
    // The node's first index entry (at +12) points its child (ei_leaf_lo at +4) back at the node.
    CorruptFilesystemException e =
        readBroken("loop-self", img -> putInt(img, node * 1024 + 12 + 4, node));
    assertNames(e, "extent tree loop: index in block " + node + " points back to block " + node);
  }

  @Test
  void extentNodeChecksum_isVerifiedWithMetadataCsum_andCsumIgnoreReadsOn() throws Exception {
    Path src = Files.createDirectory(work.resolve("csum-src"));
    Files.copy(work.resolve("src/deep"), src.resolve("deep"));
    Path image = E2fs.mkfsExt4(work.resolve("csum.img"), "32M", src, "-b", "1024");
    long node = E2fs.extents(image, "/deep").get(0)[4];
    byte[] expected = Files.readAllBytes(src.resolve("deep"));
    // The node's tail (after eh_max = 84 entries) holds its crc32c: one byte of it changed.
    try (FileChannel ch =
        FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, node * 1024 + 12 + 84 * 12);
      b.put(0, (byte) (b.get(0) ^ 0xFF)).rewind();
      ch.write(b, node * 1024 + 12 + 84 * 12);
    }
    try (Mounted m = Mounted.image(image)) {
      CorruptFilesystemException e =
          assertThrows(CorruptFilesystemException.class, () -> Ext2ReadTest.readAll(m.fs, "/deep"));
      assertNames(e, "extent block: checksum mismatch");
    }
    try (Mounted m = Mounted.image(image, java.util.Map.of("csum", "ignore"), 128)) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          expected, Ext2ReadTest.readAll(m.fs, "/deep"));
    }
  }

  @Test
  void unsortedExtentsInALeaf() throws Exception {
    long leaf = E2fs.extents(pristine, "/deep").get(1)[4];
    // The leaf's second extent (at +24) made to start at file block 0, before the first one.
    CorruptFilesystemException e = readBroken("unsorted", img -> putInt(img, leaf * 1024 + 24, 0));
    assertNames(e, "is not sorted");
  }
}
