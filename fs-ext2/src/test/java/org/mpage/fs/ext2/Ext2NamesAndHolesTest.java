package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.Names;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Names are bytes end to end (issue 11, row 4), checked against debugfs; and the block map answers
 * SEEK_DATA / SEEK_HOLE (row 8) without reading the holes.
 */
class Ext2NamesAndHolesTest {
  @TempDir Path work;

  private static final long SEED = Long.getLong("mpage.seed", 20261129L);

  /** Random names of 1 to 40 bytes, any byte but NUL and '/', biased to high bytes. */
  private static byte[] randomName(Random rnd) {
    byte[] b = new byte[1 + rnd.nextInt(40)];
    for (int i = 0; i < b.length; i++) {
      int v;
      do {
        v = rnd.nextInt(4) == 0 ? rnd.nextInt(128) : 128 + rnd.nextInt(128);
      } while (v == 0 || v == '/');
      b[i] = (byte) v;
    }
    if ((b.length == 1 && b[0] == '.') || (b.length == 2 && b[0] == '.' && b[1] == '.')) {
      b[0] = 'n';
    }
    return b;
  }

  @Test
  void names_roundTripExactly_andDistinctBytesAreDistinctStrings() {
    Random rnd = new Random(SEED);
    Map<String, byte[]> seen = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      byte[] b = randomName(rnd);
      String s = Names.fromBytes(b);
      assertArrayEquals(b, Names.toBytes(s), "seed " + SEED + " case " + i);
      byte[] before = seen.putIfAbsent(s, b);
      if (before != null) {
        assertArrayEquals(before, b, "two byte names, one string: seed " + SEED + " case " + i);
      }
    }
    assertEquals("caf\u00e9", Names.fromBytes("caf\u00e9".getBytes(StandardCharsets.UTF_8)));
    assertNotEquals(
        Names.fromBytes(new byte[] {'x', (byte) 0xff}),
        Names.fromBytes(new byte[] {'x', (byte) 0xef, (byte) 0xbf, (byte) 0xbd}));
    assertThrows(IllegalArgumentException.class, () -> Names.toBytes("x\uD800y"));
  }

  @Test
  void namesOfAnyBytes_writtenByMpage_areTheBytesDebugfsSees() throws Exception {
    Path img = E2fs.mkfs(work.resolve("n.img"), "8M", null);
    Random rnd = new Random(SEED);
    List<byte[]> names = new ArrayList<>();
    Set<String> distinct = new HashSet<>();
    while (names.size() < 60) {
      byte[] n = randomName(rnd);
      if (distinct.add(Names.fromBytes(n))) {
        names.add(n);
      }
    }
    try (Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", img)), Map.of(), 128, false)) {
      for (byte[] n : names) {
        try (FileHandle h = m.fs.openWrite("/" + Names.fromBytes(n), true, true, 0644)) {
          h.write(0, ByteBuffer.wrap(n));
        }
      }
    }
    // debugfs prints non-ASCII bytes as M- escapes in 'ls -p'; its 'dump' takes the raw name.
    try (Mounted m = Mounted.image(img)) {
      Set<String> listed = new HashSet<>();
      for (DirEntry e : m.fs.list("/")) {
        listed.add(e.name());
      }
      for (byte[] n : names) {
        String s = Names.fromBytes(n);
        assertEquals(true, listed.contains(s), "listed: seed " + SEED);
        try (FileHandle h = m.fs.open("/" + s)) {
          ByteBuffer b = ByteBuffer.allocate(n.length);
          h.read(0, b);
          assertArrayEquals(n, b.array(), "each name opens its own file: seed " + SEED);
        }
      }
    }
    Path out = work.resolve("dumped");
    byte[] first = names.get(0);
    Process p =
        new ProcessBuilder(
                "bash",
                "-c",
                "debugfs -R \"dump \\\"/$(printf \"$1\")\\\" $2\" $3 >/dev/null 2>&1",
                "bash",
                printfEscape(first),
                out.toString(),
                img.toString())
            .start();
    assertEquals(0, p.waitFor());
    assertArrayEquals(first, Files.readAllBytes(out), "debugfs finds the name by its bytes");
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", img.toString()));
  }

  private static String printfEscape(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("\\x%02x", x & 0xff));
    }
    return sb.toString();
  }

  @Test
  void seekDataAndHole_followTheBlockMap() throws Exception {
    Path img = E2fs.mkfs(work.resolve("h.img"), "16M", null, "-b", "1024");
    long tb = 1L << 30;
    try (Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", img)), Map.of(), 128, false)) {
      try (FileHandle h = m.fs.openWrite("/sparse", true, true, 0644)) {
        h.write(5000, ByteBuffer.wrap(new byte[] {1}));
        h.write(tb, ByteBuffer.wrap(new byte[] {2}));
        h.fsync();
        // unwritten pages of a writable mount count as data once written back
        h.write(3 * tb, ByteBuffer.wrap(new byte[] {3}));
        assertEquals(3 * tb - (3 * tb) % 1024, h.nextData(tb + 1024));
      }
    }
    try (Mounted m = Mounted.image(img);
        FileHandle h = m.fs.open("/sparse")) {
      assertEquals(4096, h.nextData(0));
      assertEquals(5120, h.nextHole(4096));
      assertEquals(5000, h.nextData(5000));
      assertEquals(tb, h.nextData(5120));
      assertEquals(tb + 1024, h.nextHole(tb));
      assertEquals(3 * tb, h.nextData(tb + 1024));
      assertEquals(h.size(), h.nextHole(3 * tb));
      assertEquals(h.size(), h.nextData(h.size()));
    }
  }
}
