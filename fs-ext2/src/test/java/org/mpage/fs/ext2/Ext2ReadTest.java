package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;

/**
 * Images made by mke2fs from a generated tree, read back through mpage: every byte, link and name
 * must come back, and listings must agree with debugfs.
 */
class Ext2ReadTest {
  @TempDir static Path work;
  static Path tree;

  /** A tree with every kind of file the read path must handle. */
  @BeforeAll
  static void makeTree() throws IOException {
    tree = Files.createDirectory(work.resolve("tree"));
    Random rnd = new Random(4);
    for (int size : new int[] {0, 1, 511, 1023, 1024, 1025, 4095, 4096, 4097, 12 * 1024, 50_000}) {
      Files.write(tree.resolve("f" + size), bytes(rnd, size));
    }
    // direct + single indirect + double indirect with 1K blocks (more than 268 KiB)
    Files.write(tree.resolve("big"), bytes(rnd, 700_000));
    // a file with holes: data, hole, data, hole at the end
    try (FileChannel ch =
        FileChannel.open(
            tree.resolve("sparse"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes(rnd, 5000)), 0);
      ch.write(ByteBuffer.wrap(bytes(rnd, 3000)), 300_000);
      ch.truncate(400_000);
    }
    // triple indirect with 1K blocks: data beyond 12 + 256 + 65536 blocks
    try (FileChannel ch =
        FileChannel.open(
            tree.resolve("far"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes(rnd, 10_000)), 70L << 20);
    }
    Path sub = Files.createDirectories(tree.resolve("dir/sub"));
    Files.write(sub.resolve("deep.txt"), "deep\n".getBytes(StandardCharsets.US_ASCII));
    Files.createSymbolicLink(tree.resolve("fast-link"), Path.of("f4096"));
    String longTarget = "dir/sub/" + "../sub/".repeat(12) + "deep.txt";
    Files.createSymbolicLink(tree.resolve("slow-link"), Path.of(longTarget));
    Files.createSymbolicLink(tree.resolve("abs-link"), Path.of("/dir/sub"));
    Files.createSymbolicLink(tree.resolve("dangling"), Path.of("nowhere"));
    Files.createLink(tree.resolve("hard"), tree.resolve("f1025"));
    Path many = Files.createDirectory(tree.resolve("many"));
    for (int i = 0; i < 3000; i++) {
      Files.write(many.resolve("entry-" + i), new byte[] {(byte) i});
    }
    Files.write(tree.resolve("with space"), "s".getBytes(StandardCharsets.US_ASCII));
    Files.write(tree.resolve("ünïcødé ✓"), "u".getBytes(StandardCharsets.UTF_8));
    Files.write(tree.resolve("n".repeat(255)), "long".getBytes(StandardCharsets.US_ASCII));
    Files.write(tree.resolve("-dash"), "d".getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  static Stream<Arguments> formats() {
    return Stream.of(
        Arguments.of(1024, "1", 128),
        Arguments.of(1024, "1", 256),
        Arguments.of(1024, "0", 128),
        Arguments.of(2048, "1", 128),
        Arguments.of(2048, "1", 256),
        Arguments.of(2048, "0", 128),
        Arguments.of(4096, "1", 128),
        Arguments.of(4096, "1", 256),
        Arguments.of(4096, "0", 128));
  }

  @ParameterizedTest(name = "block {0}, revision {1}, inode {2}")
  @MethodSource("formats")
  void mke2fsImage_readsBackByteIdentical(int blockSize, String rev, int inodeSize)
      throws Exception {
    Path image = work.resolve("img-" + blockSize + "-" + rev + "-" + inodeSize + ".img");
    List<String> opts = new ArrayList<>(List.of("-b", "" + blockSize, "-r", rev, "-N", "4000"));
    if (rev.equals("1")) {
      opts.addAll(List.of("-I", "" + inodeSize));
    }
    E2fs.mkfs(image, "120M", tree, opts.toArray(String[]::new));
    try (Mounted m = Mounted.image(image)) {
      assertEquals(blockSize, m.fs.info().blockSize());
      compareTree(m.fs, "/", tree);
      // hard links share the inode
      assertEquals(m.fs.stat("/hard").ino(), m.fs.stat("/f1025").ino());
      assertEquals(2, m.fs.stat("/hard").links());
      for (String dir : List.of("/", "/many", "/dir/sub")) {
        Set<String> ours = new HashSet<>();
        for (DirEntry e : m.fs.list(dir)) {
          ours.add(e.name());
        }
        assertEquals(new HashSet<>(E2fs.debugfsNames(image, dir)), ours, "listing of " + dir);
      }
    }
  }

  /** Walks our filesystem and the host tree side by side. */
  static void compareTree(FileSystem fs, String path, Path host) throws IOException {
    Set<String> expected = new HashSet<>();
    try (Stream<Path> s = Files.list(host)) {
      s.forEach(p -> expected.add(p.getFileName().toString()));
    }
    Set<String> actual = new HashSet<>();
    for (DirEntry e : fs.list(path)) {
      if (!e.name().equals("lost+found")) {
        actual.add(e.name());
      }
    }
    assertEquals(expected, actual, "names in " + path);
    for (String name : expected) {
      Path h = host.resolve(name);
      String p = path.endsWith("/") ? path + name : path + "/" + name;
      if (Files.isSymbolicLink(h)) {
        assertEquals(FileType.SYMLINK, fs.lstat(p).type(), p);
        assertEquals(Files.readSymbolicLink(h).toString(), fs.readLink(p), p);
      } else if (Files.isDirectory(h, LinkOption.NOFOLLOW_LINKS)) {
        assertEquals(FileType.DIRECTORY, fs.stat(p).type(), p);
        compareTree(fs, p, h);
      } else {
        FileStat st = fs.stat(p);
        assertEquals(Files.size(h), st.size(), "size of " + p);
        assertArrayEquals(Files.readAllBytes(h), readAll(fs, p), "content of " + p);
      }
    }
  }

  static byte[] readAll(FileSystem fs, String path) throws IOException {
    try (FileHandle f = fs.open(path)) {
      long size = f.size();
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        int n = f.read(buf.position(), buf);
        if (n < 0) {
          break;
        }
      }
      return buf.array();
    }
  }

  @Test
  void symlinks_areFollowed_andLoopsEndInAnError() throws Exception {
    Path image = work.resolve("links.img");
    E2fs.mkfs(image, "120M", tree, "-b", "1024", "-N", "4000");
    E2fs.debugfs(image, true, "symlink /loop-a /loop-b");
    E2fs.debugfs(image, true, "symlink /loop-b /loop-a");
    try (Mounted m = Mounted.image(image)) {
      assertEquals("deep\n", new String(readAll(m.fs, "/slow-link"), StandardCharsets.US_ASCII));
      assertEquals(
          "deep\n", new String(readAll(m.fs, "/abs-link/deep.txt"), StandardCharsets.US_ASCII));
      assertEquals(
          "deep\n",
          new String(readAll(m.fs, "/dir/sub/../sub/./deep.txt"), StandardCharsets.US_ASCII));
      assertEquals(4096, m.fs.stat("/fast-link").size());
      assertThrows(NoSuchFileException.class, () -> m.fs.stat("/dangling"));
      assertEquals(FileType.SYMLINK, m.fs.lstat("/dangling").type());
      assertThrows(FileSystemLoopException.class, () -> m.fs.stat("/loop-a"));
      assertThrows(NotDirectoryException.class, () -> m.fs.list("/f1/x"));
      assertThrows(NoSuchFileException.class, () -> m.fs.open("/missing"));
    }
  }

  @Test
  void largeFile_over4GiB_readsItsTail() throws Exception {
    Path src = Files.createDirectory(work.resolve("large"));
    byte[] tail = "the end of a large file".getBytes(StandardCharsets.US_ASCII);
    try (FileChannel ch =
        FileChannel.open(
            src.resolve("huge"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(tail), (5L << 30) - tail.length);
    }
    Path image = work.resolve("large.img");
    E2fs.mkfs(image, "64M", src, "-b", "4096");
    try (Mounted m = Mounted.image(image);
        FileHandle f = m.fs.open("/huge")) {
      assertEquals(5L << 30, f.size());
      ByteBuffer buf = ByteBuffer.allocate(tail.length);
      assertEquals(tail.length, f.read((5L << 30) - tail.length, buf));
      assertArrayEquals(tail, buf.array());
      ByteBuffer hole = ByteBuffer.allocate(4096);
      f.read(3L << 30, hole);
      assertTrue(isZero(hole.array()), "a hole reads as zeros");
    }
  }

  static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
