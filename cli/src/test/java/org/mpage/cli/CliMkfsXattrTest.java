package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * {@code mkfs --from} keeps extended attributes: a tar's pax headers (GNU tar's {@code
 * SCHILY.xattr.*}, written here by the host's {@code tar --xattrs} and by Commons Compress, and
 * libarchive's base64 {@code LIBARCHIVE.xattr.*}, every namespace) and a folder's {@code user.}
 * attributes. debugfs reads them back byte for byte, e2fsck finds the images clean, and with
 * SOURCE_DATE_EPOCH the same attributes give the same image.
 */
class CliMkfsXattrTest {
  @TempDir Path work;

  /** security.selinux as the kernel stores a label: the text and its terminating NUL. */
  private static final byte[] LABEL =
      "system_u:object_r:etc_t:s0\0".getBytes(StandardCharsets.US_ASCII);

  private static byte[] binary() {
    byte[] b = new byte[300];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 37);
    }
    return b;
  }

  private static String eaGet(Path image, String path, String name) throws Exception {
    return E2fs.debugfs(image, false, "ea_get " + path + " " + name);
  }

  /** debugfs's {@code ea_get -x}-free output: the value bytes after its banner, as hex pairs. */
  private static byte[] eaBytes(Path image, String path, String name) throws Exception {
    Path out = work(image).resolve(name + ".val");
    E2fs.debugfs(image, false, "ea_get -f " + out + " " + path + " " + name);
    return Files.readAllBytes(out);
  }

  private static Path work(Path image) {
    return image.getParent();
  }

  private byte[] paxTar() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, "UTF-8")) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TarArchiveEntry dir = new TarArchiveEntry("etc/");
      dir.addPaxHeader("SCHILY.xattr.user.dir", "on a directory");
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      byte[] data = "hello\n".getBytes(StandardCharsets.US_ASCII);
      TarArchiveEntry f = new TarArchiveEntry("etc/hosts");
      f.setSize(data.length);
      f.addPaxHeader("SCHILY.xattr.user.greeting", "hello, attributes");
      f.addPaxHeader(
          "LIBARCHIVE.xattr.security.selinux", Base64.getEncoder().encodeToString(LABEL));
      f.addPaxHeader("LIBARCHIVE.xattr.trusted.blob", Base64.getEncoder().encodeToString(binary()));
      f.addPaxHeader(
          "LIBARCHIVE.xattr.user.a%3Db", Base64.getEncoder().encodeToString(new byte[0]));
      tar.putArchiveEntry(f);
      tar.write(data);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void aTarsPaxAttributesOfEveryNamespaceReachTheImage() throws Exception {
    Path image = work.resolve("pax.img");
    CliTest.Result r =
        CliMkfsReproducibleTest.mpage(
            Map.of(), paxTar(), "mkfs", image.toString(), "8M", "--from", "-");
    assertEquals(0, r.status(), r.err());
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(eaGet(image, "/etc/hosts", "user.greeting").contains("hello, attributes"));
    assertArrayEquals(LABEL, eaBytes(image, "/etc/hosts", "security.selinux"));
    assertArrayEquals(binary(), eaBytes(image, "/etc/hosts", "trusted.blob"));
    assertArrayEquals(new byte[0], eaBytes(image, "/etc/hosts", "user.a=b"));
    assertTrue(eaGet(image, "/etc", "user.dir").contains("on a directory"));
  }

  @Test
  void theSameAttributesGiveTheSameImage() throws Exception {
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
    Path one = work.resolve("one.img");
    Path two = work.resolve("two.img");
    byte[] tar = paxTar();
    assertEquals(
        0,
        CliMkfsReproducibleTest.mpage(env, tar, "mkfs", one.toString(), "8M", "--from", "-")
            .status());
    assertEquals(
        0,
        CliMkfsReproducibleTest.mpage(env, tar, "mkfs", two.toString(), "8M", "--from", "-")
            .status());
    assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
  }

  /** The host's user attributes, from a folder and through GNU tar --xattrs on stdin. */
  @Test
  void aFoldersUserAttributesReachTheImageDirectlyAndThroughGnuTar() throws Exception {
    Path tree = Files.createDirectories(work.resolve("tree/sub"));
    Path file = tree.resolve("file");
    Files.writeString(file, "data\n");
    UserDefinedFileAttributeView view =
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
    try {
      view.write("origin", ByteBuffer.wrap("the host".getBytes(StandardCharsets.UTF_8)));
      view.write("bin", ByteBuffer.wrap(binary()));
    } catch (java.io.IOException | UnsupportedOperationException e) {
      assumeTrue(false, "the host's temporary folder keeps no user attributes: " + e);
    }
    Files.getFileAttributeView(tree, UserDefinedFileAttributeView.class)
        .write("level", ByteBuffer.wrap("sub".getBytes(StandardCharsets.UTF_8)));

    Path image = work.resolve("folder.img");
    CliTest.Result r =
        CliMkfsReproducibleTest.mpage(
            Map.of(),
            new byte[0],
            "mkfs",
            image.toString(),
            "8M",
            "--from",
            work.resolve("tree").toString());
    assertEquals(0, r.status(), r.err());
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(eaGet(image, "/sub/file", "user.origin").contains("the host"));
    assertArrayEquals(binary(), eaBytes(image, "/sub/file", "user.bin"));
    assertTrue(eaGet(image, "/sub", "user.level").contains("sub"));

    Process tar =
        new ProcessBuilder(
                "tar",
                "--xattrs",
                "--xattrs-include=user.*",
                "-C",
                work.resolve("tree").toString(),
                "-cf",
                "-",
                ".")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] archive = tar.getInputStream().readAllBytes();
    assertEquals(0, tar.waitFor());
    Path fromTar = work.resolve("gnutar.img");
    r =
        CliMkfsReproducibleTest.mpage(
            Map.of(), archive, "mkfs", fromTar.toString(), "8M", "--from", "-");
    assertEquals(0, r.status(), r.err());
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", fromTar.toString()));
    assertTrue(eaGet(fromTar, "/sub/file", "user.origin").contains("the host"));
    assertTrue(eaGet(fromTar, "/sub", "user.level").contains("sub"));
  }
}
