package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/** The read commands of DESIGN.md section 6, with their output and exit status contract. */
class CliTest {
  @TempDir static Path work;
  static Path tree;
  static Path image;

  /** What one run printed and returned (a class: a record compares arrays by identity). */
  static final class Result {
    private final int status;
    private final byte[] out;
    private final String err;

    Result(int status, byte[] out, String err) {
      this.status = status;
      this.out = out.clone();
      this.err = err;
    }

    int status() {
      return status;
    }

    byte[] out() {
      return out.clone();
    }

    String err() {
      return err;
    }

    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  static Result mpage(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new Cli(out, new PrintStream(err, true, StandardCharsets.UTF_8), false).run(args);
    return new Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  @BeforeAll
  static void makeImage() throws Exception {
    tree = Files.createDirectory(work.resolve("tree"));
    Random rnd = new Random(3);
    byte[] big = new byte[3 << 20];
    rnd.nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    Files.writeString(tree.resolve("hello.txt"), "hello, world\n");
    Files.createDirectories(tree.resolve("dir/sub"));
    Files.writeString(tree.resolve("dir/sub/x"), "x");
    Files.createSymbolicLink(tree.resolve("dir/link"), Path.of("../hello.txt"));
    try (FileChannel ch =
        FileChannel.open(
            tree.resolve("sparse"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 5_000_000);
    }
    image = E2fs.mkfs(work.resolve("cli.img"), "16M", tree, "-b", "1024");
  }

  @Test
  void ls_listsNamesOnePerLine_likeDebugfs() throws Exception {
    Result r = mpage("ls", image.toString(), "/");
    assertEquals(0, r.status(), r.err());
    Set<String> names = new HashSet<>(List.of(r.text().split("\n")));
    assertEquals(new HashSet<>(E2fs.debugfsNames(image, "/")), names);
  }

  @Test
  void lsLong_showsModeSizeAndLinkTarget() {
    Result r = mpage("ls", "-l", image.toString(), "/dir");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.text().contains("lrwxrwxrwx"), r.text());
    assertTrue(r.text().contains("link -> ../hello.txt"), r.text());
    assertTrue(r.text().contains("drwxr-xr-x"), r.text());
  }

  @Test
  void cat_writesTheBytes_followingSymlinks() throws Exception {
    Result r = mpage("cat", image.toString(), "/big.bin");
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(Files.readAllBytes(tree.resolve("big.bin")), r.out());
    assertEquals("hello, world\n", mpage("cat", image.toString(), "/dir/link").text());
  }

  @Test
  void stat_describesTheFile() {
    Result r = mpage("stat", image.toString(), "/hello.txt");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.text().contains("Size: 13"), r.text());
    assertTrue(r.text().contains("regular file"), r.text());
    assertTrue(r.text().contains("(0644/-rw-r--r--)"), r.text());
  }

  @Test
  void info_summarisesTheSuperblock() {
    Result r = mpage("info", image.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.text().contains("Block size:        1024"), r.text());
    assertTrue(r.text().contains("filetype"), r.text());
  }

  @Test
  void getRecursive_copiesTheTree_keepingSymlinks() throws Exception {
    Path out = work.resolve("out-" + System.nanoTime());
    Result r = mpage("get", "-r", image.toString(), "/", out.toString());
    assertEquals(0, r.status(), r.err());
    assertArrayEquals(
        Files.readAllBytes(tree.resolve("big.bin")), Files.readAllBytes(out.resolve("big.bin")));
    assertEquals("x", Files.readString(out.resolve("dir/sub/x")));
    assertTrue(Files.isSymbolicLink(out.resolve("dir/link")));
    assertEquals(Path.of("../hello.txt"), Files.readSymbolicLink(out.resolve("dir/link")));
    assertEquals(5_000_003, Files.size(out.resolve("sparse")));
    assertArrayEquals(
        Files.readAllBytes(tree.resolve("sparse")), Files.readAllBytes(out.resolve("sparse")));
  }

  @Test
  void getDirectoryWithoutR_isAnError() {
    Result r = mpage("get", image.toString(), "/dir", work.resolve("x").toString());
    assertEquals(1, r.status());
    assertEquals("mpage: /dir: is a directory (use get -r)\n", r.err());
  }

  @Test
  void missingPath_isOneLineAndStatus1() {
    Result r = mpage("cat", image.toString(), "/no/such");
    assertEquals(1, r.status());
    assertEquals("mpage: /no/such: no such file or directory\n", r.err());
  }

  @Test
  void usageErrors_exit2() {
    assertEquals(2, mpage().status());
    assertEquals(2, mpage("frobnicate").status());
    assertEquals(2, mpage("cat", image.toString()).status());
    assertEquals(2, mpage("--device", "tape", "ls", image.toString()).status());
  }

  @Test
  void corruptImage_isOneClearLine() throws Exception {
    Path bad = work.resolve("bad.img");
    Files.copy(image, bad);
    try (FileChannel ch = FileChannel.open(bad, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x34, 0x12}), 1024 + 56);
    }
    Result r = mpage("ls", bad.toString());
    assertEquals(1, r.status());
    assertEquals(
        "mpage: "
            + bad
            + ": corrupt filesystem: not an ext2 filesystem: bad magic number 0x1234 (block 1)\n",
        r.err());
  }

  @Test
  void ext4Image_readsReadOnly_andWritesAreRefusedNamingTheFeatures() throws Exception {
    Path ext4 = work.resolve("ext4.img");
    E2fs.run(
        List.of(
            E2fs.tool("mke2fs"), "-q", "-F", "-t", "ext4", "-O", "64bit", ext4.toString(), "8M"));
    E2fs.run(List.of(E2fs.tool("debugfs"), "-w", "-R", "mkdir /d", ext4.toString()));
    Result ls = mpage("ls", ext4.toString());
    assertEquals(0, ls.status(), ls.err());
    assertEquals("lost+found\nd\n", ls.text());
    Result info = mpage("info", ext4.toString());
    String dumpe2fs = E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", ext4.toString()));
    java.util.regex.Matcher count =
        java.util.regex.Pattern.compile("Block count:\\s+(\\d+)").matcher(dumpe2fs);
    assertTrue(count.find(), dumpe2fs);
    assertTrue(info.text().contains("Blocks:            " + count.group(1) + "\n"), info.text());
    assertTrue(info.text().contains(" extent 64bit flex_bg "), info.text());
    Result r = mpage("mkdir", ext4.toString(), "/e");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("mpage: " + ext4 + ": unsupported ext2 feature(s): "), r.err());
    assertTrue(r.err().contains("extent, 64bit, flex_bg"), r.err());
    assertTrue(r.err().contains("mount read-only"), r.err());
    assertEquals(1, r.err().split("\n").length, "one line: " + r.err());
  }

  @Test
  void casefoldImage_isRefusedNamingTheFeature() throws Exception {
    Path img = work.resolve("casefold.img");
    E2fs.run(
        List.of(
            E2fs.tool("mke2fs"), "-q", "-F", "-t", "ext4", "-O", "casefold", img.toString(), "8M"));
    Result r = mpage("ls", img.toString());
    assertEquals(1, r.status());
    assertEquals("mpage: " + img + ": unsupported ext2 feature(s): casefold\n", r.err());
  }

  @Test
  void stats_andRamdiskDevice() {
    Result r = mpage("--stats", "--device", "ramdisk", "cat", image.toString(), "/hello.txt");
    assertEquals(0, r.status(), r.err());
    assertEquals("hello, world\n", r.text());
    assertTrue(r.err().contains("mpage: stats: bios.read "), r.err());
    assertTrue(r.err().contains("mpage: stats: get_block.calls "), r.err());
  }
}
