package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * ext2 images with metadata_csum or gdt_csum (uninit_bg), read through a real mount: a clean image
 * reads whole (every checksum on the way verifies), one byte changed in a structure fails the read
 * that meets it with a message naming it (e2fsck agrees the image is damaged), and {@code
 * csum=ignore} reads on.
 */
class Ext2ChecksumMountTest {
  @TempDir static Path work;
  static Path tree;

  @BeforeAll
  static void makeTree() throws IOException {
    tree = Files.createDirectory(work.resolve("tree"));
    Files.writeString(tree.resolve("a"), "hello\n");
    byte[] data = new byte[300_000];
    new java.util.Random(1).nextBytes(data);
    Files.write(tree.resolve("data"), data);
    Path sub = Files.createDirectories(tree.resolve("sub/deeper"));
    Files.writeString(sub.resolve("x"), "x");
    Files.writeString(tree.resolve("sub/name-in-a-leaf"), "y");
    Path big = Files.createDirectory(tree.resolve("big"));
    for (int i = 0; i < 1500; i++) {
      Files.writeString(big.resolve("entry-with-a-longer-name-" + i), Integer.toString(i));
    }
  }

  /** mke2fs -t ext2 with {@code options}, then e2fsck -fD so that /big gets an htree index. */
  private static Path image(String name, String... options) throws Exception {
    return sizedImage(name, "8M", options);
  }

  private static Path sizedImage(String name, String size, String... options) throws Exception {
    Path img = E2fs.mkfs(work.resolve(name), size, tree, options);
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fyD", img.toString()));
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
    return img;
  }

  /** Every directory listed and every file read, compared with the tree it was made from. */
  private static int walk(FileSystem fs, String path, Path local) throws IOException {
    int n = 0;
    for (DirEntry e : fs.list(path)) {
      if (e.name().equals(".") || e.name().equals("..") || e.name().equals("lost+found")) {
        continue;
      }
      String child = (path.equals("/") ? "" : path) + "/" + e.name();
      Path l = local.resolve(e.name());
      if (e.type() == FileType.DIRECTORY) {
        n += walk(fs, child, l);
      } else {
        assertArrayEquals(Files.readAllBytes(l), read(fs, child), child);
      }
      n++;
    }
    return n;
  }

  private static byte[] read(FileSystem fs, String path) throws IOException {
    try (FileHandle h = fs.open(path)) {
      ByteBuffer b = ByteBuffer.allocate((int) fs.stat(path).size());
      while (b.hasRemaining() && h.read(b.position(), b) > 0) {
        // read on
      }
      return b.array();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-O metadata_csum -I 128 -b 1024",
        "-O metadata_csum -I 256 -b 1024",
        "-O metadata_csum -I 128 -b 4096",
        "-O metadata_csum -I 256 -b 4096",
        "-O metadata_csum,metadata_csum_seed -b 1024",
        "-O uninit_bg -b 1024",
        "-O uninit_bg -I 128 -b 4096"
      })
  void cleanImagesReadWhole(String options) throws Exception {
    Path img = image("clean.img", options.split(" "));
    try (Mounted m = Mounted.image(img)) {
      assertEquals(1507, walk(m.fs, "/", tree), options);
    }
  }

  @Test
  void csumSeedSurvivesAChangedUuid() throws Exception {
    Path img = image("seed.img", "-O", "metadata_csum,metadata_csum_seed");
    E2fs.run(List.of(E2fs.tool("tune2fs"), "-U", "random", img.toString()));
    try (Mounted m = Mounted.image(img)) {
      assertEquals(1507, walk(m.fs, "/", tree));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"metadata_csum", "metadata_csum,metadata_csum_seed", "uninit_bg"})
  void readWriteIsRefused(String features) throws Exception {
    Path img = image("rw.img", "-O", features);
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("img", img));
    UnsupportedFeatureException e =
        assertThrows(
            UnsupportedFeatureException.class, () -> Mounted.on(dev, Map.of(), 128, false));
    dev.close();
    String expect = features.startsWith("uninit_bg") ? "uninit_bg" : "metadata_csum";
    assertTrue(e.getMessage().contains(expect), e.getMessage());
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
  }

  @Test
  void unknownCsumOptionIsRefused() throws Exception {
    Path img = image("opt.img", "-O", "metadata_csum");
    IOException e =
        assertThrows(IOException.class, () -> Mounted.image(img, Map.of("csum", "maybe"), 128));
    assertTrue(e.getMessage().contains("csum=maybe"), e.getMessage());
  }

  // ---- one byte changed ----

  private static void flip(Path img, long offset) throws IOException {
    try (FileChannel ch =
        FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
      ch.write(b, offset);
    }
  }

  /** e2fsck -fn exits non-zero: it agrees the image is damaged. */
  private static void e2fsckObjects(Path img) throws Exception {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", img.toString())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertNotEquals(0, p.exitValue(), "e2fsck found nothing:\n" + out);
  }

  private interface Read {
    void run(FileSystem fs) throws IOException;
  }

  /**
   * The damaged image: {@code read} (or the mount) fails naming {@code what} and both values, and
   * with csum=ignore the mount and the whole walk go through.
   */
  private static void damaged(Path img, String what, Read read) throws Exception {
    e2fsckObjects(img);
    CorruptFilesystemException e =
        assertThrows(
            CorruptFilesystemException.class,
            () -> {
              try (Mounted m = Mounted.image(img)) {
                read.run(m.fs);
              }
            });
    assertTrue(
        e.getMessage()
            .matches(
                ".*"
                    + what
                    + ": checksum mismatch \\(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+\\).*"),
        e.getMessage());
    try (Mounted m = Mounted.image(img, Map.of("csum", "ignore"), 128)) {
      read.run(m.fs);
      assertEquals(1507, walk(m.fs, "/", tree));
    }
  }

  private static Path flipImage() throws Exception {
    // three groups of 8192 blocks
    return sizedImage("flip.img", "20M", "-O", "metadata_csum", "-b", "1024", "-I", "256");
  }

  @Test
  void superblock() throws Exception {
    Path img = flipImage();
    flip(img, 1024 + 136); // s_last_mounted: only the checksum covers it
    damaged(img, "superblock", fs -> {});
  }

  @Test
  void groupDescriptor() throws Exception {
    Path img = flipImage();
    flip(img, 2 * 1024 + 2 * 32 + 0x1C); // group 2's bg_itable_unused, which ext2 never reads
    damaged(img, "group descriptor 2", fs -> {});
  }

  @Test
  void inode() throws Exception {
    Path img = flipImage();
    long[] at = E2fs.imap(img, "/a");
    long ino =
        Long.parseLong(
            E2fs.debugfs(img, false, "stat /a").replaceAll("(?s).*?Inode: (\\d+).*", "$1"));
    flip(img, at[0] * 1024 + at[1] + 8); // i_atime
    damaged(img, "inode " + ino, fs -> fs.stat("/a"));
  }

  @Test
  void inodeHighHalf() throws Exception {
    Path img = flipImage();
    long[] at = E2fs.imap(img, "/sub/deeper/x");
    flip(img, at[0] * 1024 + at[1] + 0x84); // i_ctime_extra, after i_checksum_hi
    damaged(img, "inode \\d+", fs -> fs.stat("/sub/deeper/x"));
  }

  @Test
  void directoryLeaf() throws Exception {
    Path img = flipImage();
    long block = E2fs.bmap(img, "/sub", 0);
    flip(img, block * 1024 + 1024 - 12 - 1); // the last entry's slack, just before the tail
    damaged(img, "directory inode \\d+, block 0", fs -> fs.list("/sub"));
  }

  @Test
  void htreeRoot() throws Exception {
    Path img = flipImage();
    long block = E2fs.bmap(img, "/big", 0);
    flip(img, block * 1024 + 32 + 8 + 1); // the hash of the root's second dx entry
    damaged(img, "directory inode \\d+, htree node 0", fs -> fs.list("/big"));
  }

  @Test
  void missingTailNamesIt() throws Exception {
    Path img = flipImage();
    long block = E2fs.bmap(img, "/sub", 0);
    flip(img, block * 1024 + 1024 - 12 + 7); // the tail's 0xDE file type
    e2fsckObjects(img);
    try (Mounted m = Mounted.image(img)) {
      CorruptFilesystemException e =
          assertThrows(CorruptFilesystemException.class, () -> m.fs.list("/sub"));
      assertTrue(e.getMessage().contains("block 0: no checksum tail"), e.getMessage());
    }
    try (Mounted m = Mounted.image(img, Map.of("csum", "ignore"), 128)) {
      assertEquals(1507, walk(m.fs, "/", tree));
    }
  }
}
