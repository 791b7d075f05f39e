package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/** The write commands: their effect as debugfs and e2fsck see it, and their error lines. */
class CliWriteTest {
  @TempDir Path work;

  static CliTest.Result mpageIn(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        new Cli(
                new ByteArrayInputStream(stdin),
                out,
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false)
            .run(args);
    return new CliTest.Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  static CliTest.Result mpage(String... args) {
    return mpageIn(new byte[0], args);
  }

  private static void ok(CliTest.Result r) {
    assertEquals(0, r.status(), r.err());
  }

  static String fsck(Path image) throws Exception {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(!out.contains("? no"), out);
    return out;
  }

  @Test
  void mkfsPutAndFriends_leaveACleanImageThatDebugfsReads() throws Exception {
    Path image = work.resolve("w.img");
    ok(mpage("mkfs", image.toString(), "32M", "--block-size", "2048"));
    Path src = Files.createDirectories(work.resolve("src"));
    Files.createDirectories(src.resolve("sub"));
    byte[] big = new byte[2_500_000];
    new Random(5).nextBytes(big);
    Files.write(src.resolve("sub/big"), big);
    Files.writeString(src.resolve("small.txt"), "small\n");
    Files.createSymbolicLink(src.resolve("link"), Path.of("small.txt"));
    ok(mpage("put", "-r", image.toString(), work.resolve("src").toString(), "/in"));
    ok(
        mpageIn(
            "from stdin".getBytes(StandardCharsets.US_ASCII),
            "write",
            image.toString(),
            "/in/w.txt",
            "--offset",
            "4"));
    ok(mpage("mkdir", "-p", image.toString(), "/a/b/c"));
    ok(mpage("mv", image.toString(), "/in/sub/big", "/a/b"));
    ok(mpage("ln", image.toString(), "/in/small.txt", "/hard"));
    ok(mpage("ln", "-s", image.toString(), "/a/b/big", "/soft"));
    ok(mpage("truncate", image.toString(), "/in/small.txt", "3"));
    ok(mpage("rm", image.toString(), "/in/link"));
    fsck(image);
    Path out = Files.createDirectory(work.resolve("dump"));
    E2fs.debugfs(image, false, "rdump / " + out);
    assertArrayEquals(big, Files.readAllBytes(out.resolve("a/b/big")));
    assertEquals("sma", Files.readString(out.resolve("hard")));
    assertEquals("\0\0\0\0from stdin", Files.readString(out.resolve("in/w.txt")));
    assertEquals(Path.of("/a/b/big"), Files.readSymbolicLink(out.resolve("soft")));
    assertTrue(Files.isDirectory(out.resolve("a/b/c")));
    assertTrue(!Files.exists(out.resolve("in/link")));
    assertArrayEquals(big, mpage("cat", image.toString(), "/soft").out());
    ok(mpage("rm", "-r", image.toString(), "/a"));
    fsck(image);
    assertEquals(List.of("lost+found", "in", "hard", "soft"), E2fs.debugfsNames(image, "/"));
  }

  @Test
  void ramdiskDevice_writesChangesBackIntoTheImage() throws Exception {
    Path image = work.resolve("ram.img");
    ok(mpage("mkfs", image.toString(), "8M"));
    ok(
        mpageIn(
            "via ram".getBytes(StandardCharsets.US_ASCII),
            "--device",
            "ramdisk",
            "write",
            image.toString(),
            "/r.txt"));
    assertEquals("via ram", mpage("cat", image.toString(), "/r.txt").text());
    fsck(image);
  }

  @Test
  void putReplacesAnExistingFile() throws Exception {
    Path image = work.resolve("r.img");
    ok(mpage("mkfs", image.toString(), "8M"));
    Path f = work.resolve("f");
    Files.write(f, new byte[200_000]);
    ok(mpage("put", image.toString(), f.toString(), "/f"));
    Files.writeString(f, "short");
    Files.setPosixFilePermissions(
        f, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x---"));
    ok(mpage("put", image.toString(), f.toString(), "/f"));
    assertEquals("short", mpage("cat", image.toString(), "/f").text());
    String stat = mpage("stat", image.toString(), "/f").text();
    assertTrue(stat.contains("(0710/-rwx--x---)"), "permissions copied: " + stat);
    fsck(image);
  }

  @Test
  void errors_areOneLineEach() throws Exception {
    Path image = work.resolve("e.img");
    ok(mpage("mkfs", image.toString(), "8M"));
    ok(mpage("mkdir", image.toString(), "/d"));
    ok(mpage("write", image.toString(), "/d/x"));
    CliTest.Result r = mpage("rm", image.toString(), "/d");
    assertEquals(1, r.status());
    assertEquals("mpage: /d: is a directory (use rm -r)\n", r.err());
    r = mpage("mkdir", image.toString(), "/d");
    assertEquals(1, r.status());
    assertEquals("mpage: /d: file exists\n", r.err());
    r = mpage("mv", image.toString(), "/d", "/d/x2");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("cannot move a directory into itself"), r.err());
    r = mpage("--read-only", "mkdir", image.toString(), "/z");
    assertEquals(1, r.status());
    assertEquals("mpage: /z: read-only file system\n", r.err());
    assertEquals(2, mpage("mkfs", image.toString(), "lots").status());
    assertEquals(2, mpage("mkfs", image.toString(), "8M", "--block-size", "512").status());
    fsck(image);
  }

  @Test
  void ext3Image_isRefusedForWriting() throws Exception {
    Path image = work.resolve("j.img");
    E2fs.run(List.of(E2fs.tool("mke2fs"), "-q", "-F", "-t", "ext3", image.toString(), "8M"));
    CliTest.Result r = mpage("mkdir", image.toString(), "/d");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("has_journal"), r.err());
    ok(mpage("ls", image.toString()));
  }

  @Test
  void fullImage_failsCleanlyAndStaysConsistent() throws Exception {
    Path image = work.resolve("full.img");
    ok(mpage("mkfs", image.toString(), "2M", "--block-size", "1024"));
    Path small = work.resolve("small");
    Files.writeString(small, "keep me");
    ok(mpage("put", image.toString(), small.toString(), "/keep"));
    Path huge = work.resolve("huge");
    byte[] data = new byte[4 << 20];
    new Random(9).nextBytes(data);
    Files.write(huge, data);
    CliTest.Result r = mpage("put", image.toString(), huge.toString(), "/huge");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("mpage: /huge: "), r.err());
    assertTrue(r.err().contains("ENOSPC") || r.err().contains("no free blocks"), r.err());
    assertEquals("keep me", mpage("cat", image.toString(), "/keep").text());
    fsck(image);
  }
}
