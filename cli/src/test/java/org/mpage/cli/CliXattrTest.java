package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * {@code getfattr} and {@code setfattr}: what setfattr writes debugfs reads back byte for byte,
 * getfattr prints what debugfs wrote as getfattr would, errors are one line with status 1, usage
 * errors status 2, and e2fsck finds the image clean.
 */
class CliXattrTest {
  @TempDir Path work;

  private static CliTest.Result mpage(String... args) {
    return CliWriteTest.mpage(args);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void setfattrThenGetfattr_asTheAttrToolsDo() throws Exception {
    Path tree = Files.createDirectories(work.resolve("tree"));
    Files.writeString(tree.resolve("f"), "x");
    Files.createSymbolicLink(tree.resolve("link"), Path.of("f"));
    String img = E2fs.mkfs(work.resolve("x.img"), "4M", tree, "-b", "1024", "-I", "128").toString();
    assertEquals(0, mpage("setfattr", "-n", "user.text", "-v", "\"a\\012b\"", img, "/f").status());
    assertEquals(0, mpage("setfattr", "-n", "user.hex", "-v", "0x00ff", img, "/f").status());
    assertEquals(0, mpage("setfattr", "-n", "user.b64", "-v", "0sAAEC", img, "/f").status());
    assertEquals(0, mpage("setfattr", "-n", "user.empty", img, "/f").status());
    assertEquals(0, mpage("setfattr", "-n", "user.gone", "-v", "x", img, "/f").status());
    assertEquals(0, mpage("setfattr", "-x", "user.gone", img, "/f").status());
    assertEquals(0, mpage("setfattr", "-n", "user.onlink", "-v", "l", img, "/link").status());
    CliWriteTest.fsck(Path.of(img));
    Path image = Path.of(img);
    assertArrayEquals(b("a\nb"), E2fs.eaGet(image, "/f", "user.text", false));
    assertArrayEquals(new byte[] {0, (byte) 0xff}, E2fs.eaGet(image, "/f", "user.hex", false));
    assertArrayEquals(new byte[] {0, 1, 2}, E2fs.eaGet(image, "/f", "user.b64", false));
    assertArrayEquals(new byte[0], E2fs.eaGet(image, "/f", "user.empty", false));
    assertEquals(java.util.List.of("user.onlink"), E2fs.eaList(image, "/link"));

    E2fs.eaSet(image, "/f", "security.selinux", b("system_u:object_r:etc_t:s0\0"));
    CliTest.Result r = mpage("getfattr", "-d", img, "/f");
    assertEquals(0, r.status(), r.err());
    assertEquals(
        "# file: f\nuser.b64=0sAAEC\nuser.empty=\"\"\nuser.hex=0sAP8=\nuser.text=0sYQpi\n\n", // 1
        // of
        // 3
        // unprintable: base64
        r.text());
    r = mpage("getfattr", "-n", "security.selinux", img, "/f");
    assertEquals("# file: f\nsecurity.selinux=\"system_u:object_r:etc_t:s0\"\n\n", r.text());
    r = mpage("getfattr", "-m", "-", "-e", "hex", img, "/link");
    assertEquals("# file: link\nuser.onlink\n\n", r.text());
    r = mpage("getfattr", "-d", "-m", "^sec", "-e", "hex", img, "/f");
    assertEquals(
        "# file: f\nsecurity.selinux=0x73797374656d5f753a6f626a6563745f723a6574635f743a733000\n\n",
        r.text());

    r = mpage("getfattr", "-n", "user.none", img, "/f");
    assertEquals(1, r.status());
    assertEquals("mpage: /f: no such attribute: user.none\n", r.err());
    r = mpage("setfattr", "-n", "other.x", "-v", "1", img, "/f");
    assertEquals(1, r.status());
    assertEquals(
        "mpage: /f: operation not supported: other.x (ext2 knows user., trusted., security.,"
            + " system.posix_acl_access and system.posix_acl_default)\n",
        r.err());
    r = mpage("setfattr", "-n", "user.x", "-v", "0xabc", img, "/f");
    assertEquals(1, r.status());
    assertEquals("mpage: /f: bad input encoding: odd number of hex digits\n", r.err());
    r = mpage("getfattr", "-d", img, "/missing");
    assertEquals(1, r.status());
    assertEquals("mpage: /missing: no such file or directory\n", r.err());
    assertEquals(2, mpage("setfattr", img, "/f").status());
    assertEquals(2, mpage("setfattr", "-n", "a", "-x", "b", img, "/f").status());
    assertEquals(2, mpage("getfattr", "-e", "rot13", img, "/f").status());
    assertEquals(1, mpage("--read-only", "setfattr", "-n", "user.r", img, "/f").status());
    CliWriteTest.fsck(Path.of(img));
  }
}
