package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.XattrException;
import org.mpage.api.fs.XattrMode;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Extended attributes against e2fsprogs: what {@code debugfs ea_set} writes (in the inode of a
 * 256-byte inode, in the block of a 128-byte one) reads back equal through the api, what the api
 * writes {@code debugfs ea_list}/{@code ea_get} read back equal, and {@code e2fsck -fn} finds every
 * image clean: blocks shared and un-shared, freed at refcount 0 and with the last link, ACLs in
 * both formats, corrupt blocks refused at once.
 */
class Ext2XattrTest {
  @TempDir Path work;

  private Path image(int inodeSize) throws Exception {
    Path src = Files.createDirectories(work.resolve("src" + inodeSize));
    for (String f : List.of("f", "g", "h", "i", "j")) {
      Files.writeString(src.resolve(f), "data of " + f);
    }
    Files.createDirectory(src.resolve("d"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("f"));
    return E2fs.mkfs(
        work.resolve("x" + inodeSize + ".img"), "4M", src, "-b", "1024", "-I", "" + inodeSize);
  }

  static Mounted rw(Path img) throws IOException {
    return Mounted.on(FileDevice.open(FileDeviceConfig.of("img", img)), Map.of(), 128, false);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  /** "File ACL: N" of debugfs stat. */
  static long fileAcl(Path img, String path) throws Exception {
    Matcher m =
        Pattern.compile("File ACL: (\\d+)").matcher(E2fs.debugfs(img, false, "stat " + path));
    assertTrue(m.find());
    return Long.parseLong(m.group(1));
  }

  /** Free blocks as dumpe2fs -h counts them. */
  static long freeBlocks(Path img) throws Exception {
    String out = E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", img.toString()));
    Matcher m = Pattern.compile("Free blocks:\\s+(\\d+)").matcher(out);
    assertTrue(m.find());
    return Long.parseLong(m.group(1));
  }

  @ParameterizedTest
  @ValueSource(ints = {128, 256})
  void debugfsAttributes_readBackEqual(int inodeSize) throws Exception {
    Path img = image(inodeSize);
    Map<String, byte[]> set =
        Map.of(
            "user.small", bytes("abc"),
            "user.empty", new byte[0],
            "user.binary", new byte[] {0, 1, 2, (byte) 0xff, 0},
            "user.big", random(700, 1),
            "trusted.t", bytes("trusted value"),
            "security.selinux", bytes("system_u:object_r:etc_t:s0\0"));
    for (var e : set.entrySet()) {
      E2fs.eaSet(img, "/f", e.getKey(), e.getValue());
    }
    E2fs.eaSet(img, "/link", "user.onlink", bytes("l"));
    E2fs.fsckClean(img);
    if (inodeSize == 128) {
      assertNotEquals(0, fileAcl(img, "/f"));
    }
    try (Mounted m = Mounted.image(img)) {
      assertEquals(set.keySet(), new HashSet<>(m.fs.listXattr("/f")));
      assertEquals(new HashSet<>(E2fs.eaList(img, "/f")), new HashSet<>(m.fs.listXattr("/f")));
      for (var e : set.entrySet()) {
        assertArrayEquals(e.getValue(), m.fs.getXattr("/f", e.getKey()), e.getKey());
      }
      // l*xattr: the link's own attributes, not its target's
      assertEquals(List.of("user.onlink"), m.fs.listXattr("/link"));
      assertEquals(List.of(), m.fs.listXattr("/g"));
      XattrException none =
          assertThrows(XattrException.class, () -> m.fs.getXattr("/g", "user.small"));
      assertEquals(XattrException.Kind.NO_SUCH_ATTRIBUTE, none.kind());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {128, 256})
  void apiAttributes_readBackEqualByDebugfs(int inodeSize) throws Exception {
    Path img = image(inodeSize);
    byte[] big = random(700, 2);
    try (Mounted m = rw(img)) {
      m.fs.setXattr("/f", "user.small", bytes("abc"), XattrMode.CREATE);
      m.fs.setXattr("/f", "user.big", big, XattrMode.CREATE_OR_REPLACE);
      m.fs.setXattr("/f", "trusted.x", new byte[0], XattrMode.CREATE);
      m.fs.setXattr("/f", "security.s", bytes("label"), XattrMode.CREATE);
      m.fs.setXattr("/d", "user.dir", bytes("on a directory"), XattrMode.CREATE);
      m.fs.setXattr("/link", "user.l", bytes("on the link"), XattrMode.CREATE);
      assertEquals(
          XattrException.Kind.EXISTS,
          assertThrows(
                  XattrException.class,
                  () -> m.fs.setXattr("/f", "user.small", bytes("x"), XattrMode.CREATE))
              .kind());
      assertEquals(
          XattrException.Kind.NO_SUCH_ATTRIBUTE,
          assertThrows(
                  XattrException.class,
                  () -> m.fs.setXattr("/f", "user.nope", bytes("x"), XattrMode.REPLACE))
              .kind());
      m.fs.setXattr("/f", "user.small", bytes("replaced"), XattrMode.REPLACE);
      m.fs.setXattr("/g", "user.gone", bytes("soon removed"), XattrMode.CREATE);
      m.fs.removeXattr("/g", "user.gone");
      assertEquals(
          XattrException.Kind.NO_SUCH_ATTRIBUTE,
          assertThrows(XattrException.class, () -> m.fs.removeXattr("/g", "user.gone")).kind());
      assertEquals(
          XattrException.Kind.UNSUPPORTED,
          assertThrows(
                  XattrException.class,
                  () -> m.fs.setXattr("/f", "os2.x", bytes("x"), XattrMode.CREATE))
              .kind());
      assertEquals(
          XattrException.Kind.TOO_LARGE,
          assertThrows(
                  XattrException.class,
                  () -> m.fs.setXattr("/f", "user.huge", new byte[1025], XattrMode.CREATE))
              .kind());
      assertEquals(
          XattrException.Kind.NO_SPACE,
          assertThrows(
                  XattrException.class,
                  () -> m.fs.setXattr("/f", "user.nospace", new byte[1000], XattrMode.CREATE))
              .kind());
      assertArrayEquals(bytes("replaced"), m.fs.getXattr("/f", "user.small"));
      // a file this driver makes (i_extra_isize 0): in its inode when it has room
      m.fs.openWrite("/new", true, false, 0644).close();
      m.fs.setXattr("/new", "user.n", bytes("fresh"), XattrMode.CREATE);
    }
    E2fs.fsckClean(img);
    assertEquals(
        new HashSet<>(List.of("user.small", "user.big", "trusted.x", "security.s")),
        new HashSet<>(E2fs.eaList(img, "/f")));
    assertArrayEquals(bytes("replaced"), E2fs.eaGet(img, "/f", "user.small", false));
    assertArrayEquals(big, E2fs.eaGet(img, "/f", "user.big", false));
    assertArrayEquals(new byte[0], E2fs.eaGet(img, "/f", "trusted.x", false));
    assertArrayEquals(bytes("on a directory"), E2fs.eaGet(img, "/d", "user.dir", false));
    assertArrayEquals(bytes("on the link"), E2fs.eaGet(img, "/link", "user.l", false));
    assertEquals(List.of(), E2fs.eaList(img, "/g"));
    assertEquals(0, fileAcl(img, "/g"));
    assertArrayEquals(bytes("fresh"), E2fs.eaGet(img, "/new", "user.n", false));
    assertEquals(inodeSize == 128, fileAcl(img, "/new") != 0);
  }

  @Test
  void equalSets_shareOneBlock_changeUnshares_lastReferenceFrees() throws Exception {
    Path img = image(128);
    long free0 = freeBlocks(img);
    List<String> files = List.of("/f", "/g", "/h", "/i");
    try (Mounted m = rw(img)) {
      for (String f : files) {
        m.fs.setXattr(f, "user.a", bytes("shared value"), XattrMode.CREATE);
        m.fs.setXattr(f, "user.b", random(300, 3), XattrMode.CREATE);
      }
    }
    E2fs.fsckClean(img);
    long shared = fileAcl(img, "/f");
    for (String f : files) {
      assertEquals(shared, fileAcl(img, f), f);
    }
    assertEquals(free0 - 1, freeBlocks(img));
    assertTrue(E2fs.debugfs(img, false, "stat /g").contains("Blockcount: 4"));
    try (Mounted m = rw(img)) {
      m.fs.setXattr("/g", "user.a", bytes("its own value"), XattrMode.REPLACE); // copy on write
      m.fs.unlink("/h"); // the last link: a reference goes
    }
    E2fs.fsckClean(img);
    assertNotEquals(shared, fileAcl(img, "/g"));
    assertEquals(shared, fileAcl(img, "/i"));
    assertArrayEquals(bytes("shared value"), E2fs.eaGet(img, "/f", "user.a", false));
    assertArrayEquals(bytes("its own value"), E2fs.eaGet(img, "/g", "user.a", false));
    assertEquals(free0 - 2 + 1, freeBlocks(img)); // two attribute blocks; /h's data block freed
    try (Mounted m = rw(img)) {
      // /g's set equals the others' again: it joins the shared block and frees its own
      m.fs.setXattr("/g", "user.a", bytes("shared value"), XattrMode.REPLACE);
      for (String f : List.of("/f", "/g", "/i")) {
        m.fs.removeXattr(f, "user.a");
        m.fs.removeXattr(f, "user.b");
      }
    }
    E2fs.fsckClean(img);
    for (String f : List.of("/f", "/g", "/i")) {
      assertEquals(0, fileAcl(img, f), f);
    }
    assertEquals(free0 + 1, freeBlocks(img)); // /h's data block, and no attribute block left
  }

  @Test
  void sharing_stopsAtTheKernelsRefcountLimit() throws Exception {
    Path img =
        E2fs.mkfs(work.resolve("many.img"), "8M", null, "-b", "1024", "-I", "128", "-N", "1200");
    int files = Ext2XattrBlock.REFCOUNT_MAX + 6;
    java.util.Map<Long, Integer> users = new java.util.HashMap<>();
    try (Mounted m = rw(img)) {
      for (int i = 0; i < files; i++) {
        m.fs.openWrite("/f" + i, true, false, 0644).close();
        m.fs.setXattr("/f" + i, "user.same", bytes("one set for all"), XattrMode.CREATE);
      }
      Ext2FileSystem fs = (Ext2FileSystem) m.fs;
      for (int i = 0; i < files; i++) {
        long block = fs.inodes().iget(m.fs.lstat("/f" + i).ino()).fileAcl;
        users.merge(block, 1, Integer::sum);
      }
    }
    E2fs.fsckClean(img); // e2fsck counts the users of each block against h_refcount
    assertEquals(
        new HashSet<>(List.of(Ext2XattrBlock.REFCOUNT_MAX, 6)), new HashSet<>(users.values()));
  }

  @Test
  void acl_xattrFormatThroughTheApi_ext2FormatOnDisk() throws Exception {
    Path img = image(128);
    // user::rw- user:1000:r-- group::r-- mask::r-- other::---
    ByteBuffer x = ByteBuffer.allocate(4 + 5 * 8).order(ByteOrder.LITTLE_ENDIAN);
    x.putInt(2);
    x.putShort((short) 0x01).putShort((short) 6).putInt(-1);
    x.putShort((short) 0x02).putShort((short) 4).putInt(1000);
    x.putShort((short) 0x04).putShort((short) 4).putInt(-1);
    x.putShort((short) 0x10).putShort((short) 4).putInt(-1);
    x.putShort((short) 0x20).putShort((short) 0).putInt(-1);
    byte[] xattr = x.array();
    ByteBuffer d = ByteBuffer.allocate(4 + 4 + 8 + 4 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
    d.putInt(1);
    d.putShort((short) 0x01).putShort((short) 6);
    d.putShort((short) 0x02).putShort((short) 4).putInt(1000);
    d.putShort((short) 0x04).putShort((short) 4);
    d.putShort((short) 0x10).putShort((short) 4);
    d.putShort((short) 0x20).putShort((short) 0);
    byte[] disk = d.array();
    try (Mounted m = rw(img)) {
      m.fs.setXattr("/f", "system.posix_acl_access", xattr, XattrMode.CREATE);
      m.fs.setXattr("/d", "system.posix_acl_default", xattr, XattrMode.CREATE);
      assertArrayEquals(xattr, m.fs.getXattr("/f", "system.posix_acl_access"));
      assertEquals(0640, m.fs.lstat("/f").permissions()); // owner rw, the mask r, other none
      // an ACL the permission bits say entirely sets them and is not stored (posix_acl_equiv_mode)
      ByteBuffer plain = ByteBuffer.allocate(4 + 3 * 8).order(ByteOrder.LITTLE_ENDIAN);
      plain.putInt(2);
      plain.putShort((short) 0x01).putShort((short) 7).putInt(-1);
      plain.putShort((short) 0x04).putShort((short) 5).putInt(-1);
      plain.putShort((short) 0x20).putShort((short) 1).putInt(-1);
      m.fs.setXattr("/h", "system.posix_acl_access", plain.array(), XattrMode.CREATE);
      assertEquals(0751, m.fs.lstat("/h").permissions());
      assertEquals(List.of(), m.fs.listXattr("/h"));
      byte[] bad = xattr.clone();
      bad[4 + 8 * 3] = 0x20; // the mask became a second other entry
      assertEquals(
          XattrException.Kind.INVALID,
          assertThrows(
                  XattrException.class,
                  () -> m.fs.setXattr("/g", "system.posix_acl_access", bad, XattrMode.CREATE))
              .kind());
    }
    E2fs.fsckClean(img);
    // debugfs converts as e2fsprogs does, with id 0 where the kernel (and the api) put -1
    byte[] zeroIds = xattr.clone();
    for (int at : new int[] {8, 24, 32, 40}) {
      java.util.Arrays.fill(zeroIds, at, at + 4, (byte) 0);
    }
    assertArrayEquals(zeroIds, E2fs.eaGet(img, "/f", "system.posix_acl_access", false));
    assertArrayEquals(disk, E2fs.eaGet(img, "/f", "system.posix_acl_access", true));
    assertArrayEquals(disk, E2fs.eaGet(img, "/d", "system.posix_acl_default", true));
    // and what debugfs stores from the xattr format reads back the same through the api
    E2fs.eaSet(img, "/g", "system.posix_acl_access", xattr);
    assertArrayEquals(disk, E2fs.eaGet(img, "/g", "system.posix_acl_access", true));
    try (Mounted m = Mounted.image(img)) {
      assertArrayEquals(xattr, m.fs.getXattr("/g", "system.posix_acl_access"));
      assertTrue(m.fs.listXattr("/d").contains("system.posix_acl_default"));
    }
  }

  /** Writes {@code bytes} at byte {@code at} of block {@code block} of the image. */
  static void poke(Path img, long block, int at, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
      f.seek(block * 1024 + at);
      f.write(bytes);
    }
  }

  @Test
  void corruptBlocks_clearErrorAtOnce() throws Exception {
    Path img = image(128);
    E2fs.eaSet(img, "/f", "user.a", bytes("value a"));
    E2fs.eaSet(img, "/f", "user.b", bytes("value b"));
    long block = fileAcl(img, "/f");
    byte[] good = Files.readAllBytes(img);
    Map<String, byte[][]> cases =
        Map.of(
            "bad magic", new byte[][] {{0}, {0x12, 0x34, 0x56, 0x78}},
            "h_blocks", new byte[][] {{8}, {2, 0, 0, 0}},
            "value over the entries", new byte[][] {{34}, {32, 0}},
            "value offset out of range", new byte[][] {{34}, {(byte) 0xfc, 0x7f}},
            "value size out of range", new byte[][] {{40}, {0, 0, 1, 0}},
            "no end of entries", new byte[][] {{56}, {1, 1, 1, 1}});
    for (var c : cases.entrySet()) {
      Files.write(img, good);
      int at = c.getValue()[0][0] & 0xff;
      if (c.getKey().equals("no end of entries")) {
        // every entry points at the next: the whole block is entries with no terminator
        for (int off = 32; off + 20 <= 1024; off += 20) {
          poke(
              img,
              block,
              off,
              new byte[] {4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c', 'd'});
        }
      } else {
        poke(img, block, at, c.getValue()[1]);
      }
      long t0 = System.nanoTime();
      try (Mounted m = Mounted.image(img)) {
        assertThrows(CorruptFilesystemException.class, () -> m.fs.listXattr("/f"), c.getKey());
        assertThrows(
            CorruptFilesystemException.class, () -> m.fs.getXattr("/f", "user.a"), c.getKey());
      }
      assertTrue(System.nanoTime() - t0 < 5_000_000_000L, c.getKey() + ": not at once");
    }
  }

  @Test
  void corruptInInodeArea_clearError() throws Exception {
    Path img = image(256);
    E2fs.eaSet(img, "/f", "user.a", bytes("in the inode"));
    assertEquals(0, fileAcl(img, "/f"));
    long[] at = E2fs.imap(img, "/f");
    // e_value_offs of the first entry: after the 128 bytes, i_extra_isize 32 and the magic
    poke(img, at[0], (int) at[1] + 128 + 32 + 4 + 2, new byte[] {(byte) 0xf0, 0x0f});
    try (Mounted m = Mounted.image(img)) {
      CorruptFilesystemException e =
          assertThrows(CorruptFilesystemException.class, () -> m.fs.getXattr("/f", "user.a"));
      assertTrue(e.getMessage().contains("in-inode"), e.getMessage());
      assertEquals(List.of(), m.fs.listXattr("/g")); // the other inodes read on
    }
  }

  @Test
  void metadataCsum_ext4BlockVerified() throws Exception {
    Path src = Files.createDirectories(work.resolve("src4"));
    Files.writeString(src.resolve("f"), "x");
    Path img = E2fs.mkfsExt4(work.resolve("c.img"), "8M", src, "-b", "1024", "-I", "128");
    E2fs.eaSet(img, "/f", "user.a", bytes("checked"));
    long block = fileAcl(img, "/f");
    try (Mounted m = Mounted.image(img)) {
      assertArrayEquals(bytes("checked"), m.fs.getXattr("/f", "user.a"));
    }
    poke(img, block, 1020, new byte[] {1}); // inside the value area, unused: only the sum sees it
    try (Mounted m = Mounted.image(img)) {
      CorruptFilesystemException e =
          assertThrows(CorruptFilesystemException.class, () -> m.fs.getXattr("/f", "user.a"));
      assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }
  }
}
