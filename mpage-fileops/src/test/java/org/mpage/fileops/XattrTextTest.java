package org.mpage.fileops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fileops.XattrText.Encoding;
import org.mpage.fs.ext2.E2fs;

/**
 * getfattr's value text ({@code "text"}, {@code 0x}, {@code 0s}) and setfattr's reading of it, on
 * the cases getfattr.c spells out and on seeded random values; and {@link FileOps#getfattr} on an
 * image whose attributes debugfs wrote.
 */
class XattrTextTest {
  @TempDir Path work;

  private static String enc(byte[] v, Encoding e) {
    return new String(XattrText.encode(v, e), StandardCharsets.ISO_8859_1);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void encode_asGetfattrWritesIt() {
    assertEquals("\"abc\"", enc(b("abc"), Encoding.AUTO));
    assertEquals("\"\"", enc(new byte[0], Encoding.AUTO));
    assertEquals("\"label\"", enc(b("label\0"), Encoding.AUTO)); // a final NUL is not shown
    assertEquals("\"a\\000b\\012c\\015\\\"\\\\\"", enc(b("a\0b\nc\r\"\\"), Encoding.TEXT));
    assertEquals("0x00ff10", enc(new byte[] {0, (byte) 0xff, 0x10}, Encoding.HEX));
    assertEquals("0sAP8Q", enc(new byte[] {0, (byte) 0xff, 0x10}, Encoding.AUTO));
    assertEquals("0sAAA=", enc(new byte[] {0, 0}, Encoding.BASE64));
    // one byte in eight may be unprintable and still be text
    assertEquals("\"abcdefg\001\"", enc(b("abcdefg\001"), Encoding.AUTO));
    assertEquals("0sYWJjZGVmAQ==", enc(b("abcdef\001"), Encoding.AUTO));
  }

  @Test
  void decode_asSetfattrReadsIt() {
    assertArrayEquals(b("plain text"), XattrText.decode(b("plain text")));
    assertArrayEquals(b("a\nb\"\\"), XattrText.decode(b("\"a\\012b\\\"\\\\\"")));
    assertArrayEquals(new byte[] {(byte) 0xde, (byte) 0xad}, XattrText.decode(b("0xDEAD")));
    assertArrayEquals(new byte[] {0, 1, 2}, XattrText.decode(b("0sAAEC")));
    assertThrows(IllegalArgumentException.class, () -> XattrText.decode(b("0xabc")));
    assertThrows(IllegalArgumentException.class, () -> XattrText.decode(b("0s#")));
  }

  @Test
  void randomValues_roundTripThroughEveryEncoding() {
    long seed = 20_261_129L;
    System.out.println("XattrTextTest seed " + seed);
    Random rnd = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      byte[] v = new byte[rnd.nextInt(300)];
      rnd.nextBytes(v);
      if (rnd.nextBoolean()) {
        for (int k = 0; k < v.length; k++) {
          v[k] = (byte) (0x20 + (v[k] & 0x3f)); // mostly printable
        }
      }
      for (Encoding e : Encoding.values()) {
        byte[] back = XattrText.decode(XattrText.encode(v, e));
        boolean textDropsNul =
            (e == Encoding.TEXT || (e == Encoding.AUTO && XattrText.printableEnough(v)))
                && v.length > 0
                && v[v.length - 1] == 0;
        byte[] want = textDropsNul ? java.util.Arrays.copyOf(v, v.length - 1) : v;
        assertArrayEquals(want, back, "seed " + seed + ", value " + i + ", " + e);
      }
    }
  }

  @Test
  void getfattr_dumpsWhatDebugfsWrote() throws Exception {
    Path tree = Files.createDirectories(work.resolve("tree"));
    Files.writeString(tree.resolve("f"), "x");
    Path image = E2fs.mkfs(work.resolve("a.img"), "4M", tree, "-b", "1024");
    E2fs.eaSet(image, "/f", "user.z", b("last"));
    E2fs.eaSet(image, "/f", "user.a", new byte[] {1, 2, 3});
    E2fs.eaSet(image, "/f", "trusted.t", b("hidden by default"));
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, new PrintingReporter(System.err), Progress.Factory.NONE);
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      java.io.PrintStream out = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8);
      ops.getfattr("/f", null, true, "^user\\.", Encoding.AUTO, out);
      ops.getfattr("/f", null, false, "", Encoding.AUTO, out);
      ops.getfattr("/f", "trusted.t", false, "", Encoding.HEX, out);
      assertEquals(
          String.join(
              "\n",
              "# file: f",
              "user.a=0sAQID",
              "user.z=\"last\"",
              "",
              "# file: f",
              "trusted.t",
              "user.a",
              "user.z",
              "",
              "# file: f",
              "trusted.t=0x68696464656e2062792064656661756c74",
              "",
              ""),
          bytes.toString(StandardCharsets.UTF_8));
      PathException e =
          assertThrows(
              PathException.class,
              () -> ops.getfattr("/f", "user.none", false, "", Encoding.AUTO, out));
      assertEquals("mpage: /f: no such attribute: user.none", Errors.line(e));
      assertEquals(61, Errors.errno(e));
    }
  }
}
