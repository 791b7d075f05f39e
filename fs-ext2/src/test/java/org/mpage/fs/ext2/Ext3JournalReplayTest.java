package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FsInfo;

/**
 * Dirty ext3 journals made by debugfs ({@code jo}, {@code jw}, {@code jc}) replayed in memory by a
 * read-only mount, against e2fsck's recovery of a copy ({@code e2fsck -E journal_only}): every
 * block the mount reads equals the recovered copy's (the journal superblock aside, which e2fsck
 * resets, and the superblock's write time, kilobytes written and checksum, which e2fsck updates
 * when it writes it). Each case also checks the expected blocks directly, so that a test does not
 * rest on the oracle alone, and that the image file did not change.
 */
class Ext3JournalReplayTest {
  @TempDir Path dir;

  /** What the comparison found: the mount's info and the blocks it read. */
  record Replayed(FsInfo info, List<byte[]> blocks) {
    byte[] block(long b) {
      return blocks.get((int) b);
    }
  }

  /**
   * Mounts {@code image} read-only, reads every block through the mount's device (the replay
   * overlay), and compares each with the e2fsck-recovered copy. Also checks that the image did not
   * change and that the mounted superblock is valid where it counts: an image made of the mount's
   * blocks passes {@code dumpe2fs -h} (the superblock checksum, under metadata_csum) and {@code
   * e2fsck -fn} exactly when e2fsck's own recovered copy does.
   */
  static Replayed replayAndCompare(Path image, int blockSize) throws Exception {
    String before = JournalImages.sha256(image);
    Path oracle = JournalImages.recoveredCopy(image);
    long journalSuper = JournalImages.journalBlocks(image)[0];
    long superBlock = 1024 / blockSize;
    byte[][] blocks;
    FsInfo info;
    try (Mounted m = Mounted.image(image)) {
      info = m.fs.info();
      Ext2FileSystem fs = (Ext2FileSystem) m.fs;
      int count = (int) info.blocksCount();
      blocks = new byte[count][];
      for (int b = 0; b < count; b++) {
        ByteBuffer raw = Ext2Super.readRaw(m.engine, fs.device(), (long) b * blockSize, blockSize);
        blocks[b] = new byte[blockSize];
        raw.get(0, blocks[b]);
      }
    }
    assertEquals(before, JournalImages.sha256(image), "a read-only mount changed the image");
    List<Long> differ = new ArrayList<>();
    Path ours = image.resolveSibling(image.getFileName() + ".mpage");
    Files.copy(oracle, ours, StandardCopyOption.REPLACE_EXISTING);
    for (int b = 0; b < blocks.length; b++) {
      if (b == journalSuper) {
        continue;
      }
      byte[] theirs = JournalImages.block(oracle, b, blockSize);
      byte[] mine = blocks[b];
      if (b == superBlock) {
        int at = 1024 % blockSize;
        theirs = maskSuper(theirs, at);
        mine = maskSuper(mine, at);
      }
      if (!Arrays.equals(theirs, mine)) {
        differ.add((long) b);
      }
      JournalImages.writeBlock(ours, b, blocks[b]);
    }
    assertEquals(List.of(), differ, "blocks that differ from e2fsck's recovery of " + image);
    E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", ours.toString()));
    assertEquals(fsckStatus(oracle), fsckStatus(ours), "e2fsck -fn of e2fsck's and mpage's");
    return new Replayed(info, Arrays.asList(blocks));
  }

  /** The superblock without the fields e2fsck updates whenever it writes it. */
  private static byte[] maskSuper(byte[] block, int at) {
    byte[] out = block.clone();
    Arrays.fill(out, at + 0x30, at + 0x34, (byte) 0); // s_wtime
    Arrays.fill(out, at + 0x178, at + 0x180, (byte) 0); // s_kbytes_written
    Arrays.fill(out, at + 0x3FC, at + 0x400, (byte) 0); // s_checksum (checked by dumpe2fs)
    return out;
  }

  static int fsckStatus(Path image) throws Exception {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", image.toString())
            .redirectErrorStream(true)
            .start();
    try (InputStream in = p.getInputStream()) {
      in.readAllBytes();
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return p.exitValue();
  }

  private static void assertBlock(byte[] expected, Replayed r, long b, String what) {
    assertArrayEquals(expected, r.block(b), what + " (block " + b + ")");
  }

  private static byte[] slice(Path file, int index, int blockSize) throws IOException {
    return JournalImages.block(file, index, blockSize);
  }

  @ParameterizedTest(name = "{0}-byte blocks")
  @ValueSource(ints = {1024, 4096})
  void revokedAndTornTransactions_areNotReplayed(int bs) throws Exception {
    Path image = JournalImages.ext3(dir.resolve("j.img"), bs == 1024 ? "8M" : "16M", bs);
    Path data = JournalImages.data(dir.resolve("d"), 2, bs, 1);
    Path torn = JournalImages.data(dir.resolve("t"), 1, bs, 2);
    byte[] original301 = JournalImages.block(image, 301, bs);
    byte[] original302 = JournalImages.block(image, 302, bs);
    JournalImages.debugfs(
        image, "jo", "jw -b 300,301 " + data, "jw -r 301", "jw -b 302 -c " + torn, "jc");
    Replayed r = replayAndCompare(image, bs);
    assertBlock(slice(data, 0, bs), r, 300, "logged in transaction 1");
    assertBlock(original301, r, 301, "revoked by transaction 2");
    assertBlock(original302, r, 302, "logged by a transaction without its commit block");
    assertEquals("replayed 2 transactions, 1 block, 1 revoked", r.info().journal());
    assertEquals("clean", r.info().state());
    assertTrue(!r.info().features().contains("needs_recovery"), r.info().features().toString());
  }

  @Test
  void aBlockLoggedAfterItsRevoke_isReplayed_oneLoggedBeforeIsNot() throws Exception {
    int bs = 1024;
    Path image = JournalImages.ext3(dir.resolve("j.img"), "8M", bs);
    Path first = JournalImages.data(dir.resolve("a"), 3, bs, 3);
    Path second = JournalImages.data(dir.resolve("b"), 1, bs, 4);
    byte[] original402 = JournalImages.block(image, 402, bs);
    JournalImages.debugfs(
        image, "jo", "jw -b 400-402 " + first, "jw -r 400,402", "jw -b 400 " + second, "jc");
    Replayed r = replayAndCompare(image, bs);
    assertBlock(slice(second, 0, bs), r, 400, "logged again after the revoke");
    assertBlock(slice(first, 1, bs), r, 401, "never revoked");
    assertBlock(original402, r, 402, "revoked after its only copy");
    assertEquals("replayed 3 transactions, 2 blocks, 2 revoked", r.info().journal());
  }

  @Test
  void aRevokeInTheTransactionThatLoggedTheBlock_hidesThatCopy() throws Exception {
    // debugfs commits no jw that both logs and revokes, so move a revoke block into the first
    // transaction by hand: log blocks 1 descriptor, 2-3 data, 4 commit (1), 5 revoke (2), 6
    // commit (2) become 1 descriptor, 2-3 data, 4 revoke (1), 5 commit (1), 6 commit (2).
    int bs = 1024;
    Path image = JournalImages.ext3(dir.resolve("j.img"), "8M", bs);
    Path data = JournalImages.data(dir.resolve("d"), 2, bs, 12);
    byte[] original301 = JournalImages.block(image, 301, bs);
    JournalImages.debugfs(image, "jo", "jw -b 300,301 " + data, "jw -r 301", "jc");
    long[] map = JournalImages.journalBlocks(image);
    byte[] commit = JournalImages.block(image, map[4], bs);
    byte[] revoke = JournalImages.block(image, map[5], bs);
    ByteBuffer.wrap(revoke).putInt(8, 1);
    JournalImages.writeBlock(image, map[4], revoke);
    JournalImages.writeBlock(image, map[5], commit);
    Replayed r = replayAndCompare(image, bs);
    assertBlock(slice(data, 0, bs), r, 300, "logged");
    assertBlock(original301, r, 301, "revoked in its own transaction");
    assertEquals("replayed 2 transactions, 1 block, 1 revoked", r.info().journal());
  }

  @Test
  void theLastCommittedCopyWins_andEscapedBlocksGetTheirMagicBack() throws Exception {
    int bs = 1024;
    Path image = JournalImages.ext3(dir.resolve("j.img"), "8M", bs);
    Path one = JournalImages.data(dir.resolve("one"), 2, bs, 5);
    byte[] magic = Files.readAllBytes(JournalImages.data(dir.resolve("m"), 1, bs, 6));
    ByteBuffer.wrap(magic).putInt(0, 0xC03B3998);
    Path escaped = Files.write(dir.resolve("escaped"), magic);
    JournalImages.debugfs(
        image, "jo", "jw -b 500,501 " + one, "jw -b 501 " + escaped, "jw -b 502 " + escaped, "jc");
    Replayed r = replayAndCompare(image, bs);
    assertBlock(slice(one, 0, bs), r, 500, "one copy");
    assertBlock(magic, r, 501, "the later of two copies, escaped");
    assertBlock(magic, r, 502, "escaped");
  }

  @Test
  void checksumV1_aCommitThatFailsItsChecksumEndsTheReplay_asE2fsckDecides() throws Exception {
    // debugfs writes v1 commit checksums that count a revoke-only transaction's revoke block;
    // recovery sums descriptor and data blocks only, so that transaction fails its checksum.
    int bs = 1024;
    Path image = JournalImages.ext3(dir.resolve("j.img"), "8M", bs);
    Path data = JournalImages.data(dir.resolve("d"), 2, bs, 7);
    JournalImages.debugfs(image, "jo -c", "jw -b 300,301 " + data, "jw -r 301", "jc");
    Replayed r = replayAndCompare(image, bs);
    assertBlock(slice(data, 1, bs), r, 301, "the revoke's transaction was not replayed");
    assertEquals("clean with errors", r.info().state());
    assertEquals(
        "replayed 1 transaction, 2 blocks, 0 revoked; transaction 2 is corrupt, replay stopped"
            + " before it",
        r.info().journal());
  }

  @ParameterizedTest(name = "{0}-byte blocks")
  @ValueSource(ints = {1024, 4096})
  void checksumV3_withMetadataCsum(int bs) throws Exception {
    Path image =
        JournalImages.ext3(
            dir.resolve("j.img"), bs == 1024 ? "8M" : "16M", bs, "-O", "metadata_csum");
    Path data = JournalImages.data(dir.resolve("d"), 3, bs, 8);
    Path torn = JournalImages.data(dir.resolve("t"), 1, bs, 9);
    byte[] original301 = JournalImages.block(image, 301, bs);
    JournalImages.debugfs(
        image, "jo -c", "jw -b 300-302 " + data, "jw -r 301", "jw -b 303 -c " + torn, "jc");
    assertTrue(
        E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", image.toString()))
            .contains("journal_checksum_v3"));
    Replayed r = replayAndCompare(image, bs);
    assertBlock(slice(data, 0, bs), r, 300, "logged");
    assertBlock(original301, r, 301, "revoked");
    assertBlock(slice(data, 2, bs), r, 302, "logged");
    assertEquals("replayed 2 transactions, 2 blocks, 1 revoked", r.info().journal());
  }

  @ParameterizedTest(name = "shift {0}")
  @ValueSource(ints = {0, 1, 500, 1021})
  void aLogThatWrapsPastTheEndOfTheJournal(int shift) throws Exception {
    int bs = 1024;
    Path image =
        JournalImages.ext3(dir.resolve("j.img"), "8M", bs, "-O", "metadata_csum", "-J", "size=1");
    Path data = JournalImages.data(dir.resolve("d"), 8, bs, 10);
    JournalImages.debugfs(
        image, "jo -c", "jw -b 600-607 " + data, "jw -r 603", "jw -b 603 " + data, "jc");
    JournalImages.rotateLog(image, bs, shift);
    Replayed r = replayAndCompare(image, bs);
    for (int i = 0; i < 8; i++) {
      assertBlock(slice(data, i == 3 ? 0 : i, bs), r, 600 + i, "logged");
    }
    assertEquals("replayed 3 transactions, 8 blocks, 1 revoked", r.info().journal());
  }

  @Test
  void aFileCreatedThroughTheJournal_isInTheMountedTree_asE2fsckRecoversIt() throws Exception {
    int bs = 1024;
    Path image = JournalImages.ext3(dir.resolve("j.img"), "8M", bs);
    Path after = dir.resolve("after.img");
    Files.copy(image, after);
    byte[] hello = "hello from the journal\n".getBytes(StandardCharsets.UTF_8);
    Path host = Files.write(dir.resolve("hello"), hello);
    byte[] big = Files.readAllBytes(JournalImages.data(dir.resolve("big"), 20, bs, 11));
    Path bigHost = Files.write(dir.resolve("bigfile"), big);
    JournalImages.debugfs(
        after, "write " + host + " hello", "mkdir dir", "write " + bigHost + " dir/big");
    // Log every block the change touched, as the kernel would have logged its metadata (and, in
    // data=journal mode, the data), in one transaction.
    List<Long> changed = new ArrayList<>();
    long blocks = Files.size(image) / bs;
    java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
    for (long b = 0; b < blocks; b++) {
      byte[] now = JournalImages.block(after, b, bs);
      if (!Arrays.equals(JournalImages.block(image, b, bs), now)) {
        changed.add(b);
        content.write(now);
      }
    }
    assertTrue(changed.size() > 20, "changed blocks " + changed);
    Path logged = Files.write(dir.resolve("logged"), content.toByteArray());
    String list = String.join(",", changed.stream().map(String::valueOf).toList());
    JournalImages.debugfs(image, "jo", "jw -b " + list + " " + logged, "jc");

    Replayed r = replayAndCompare(image, bs);
    assertEquals(
        "replayed 1 transaction, " + changed.size() + " blocks, 0 revoked", r.info().journal());
    Path fsck = dir.resolve("fsck.img");
    Files.copy(image, fsck);
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fy", fsck.toString()));
    Path theirHello = dir.resolve("their-hello");
    Path theirBig = dir.resolve("their-big");
    E2fs.debugfs(fsck, false, "dump hello " + theirHello);
    E2fs.debugfs(fsck, false, "dump dir/big " + theirBig);
    assertArrayEquals(hello, Files.readAllBytes(theirHello));
    assertArrayEquals(big, Files.readAllBytes(theirBig));
    try (Mounted m = Mounted.image(image)) {
      List<String> names = m.fs.list("/").stream().map(e -> e.name()).sorted().toList();
      assertEquals(List.of("dir", "hello", "lost+found"), names);
      assertEquals(List.of("big"), m.fs.list("/dir").stream().map(e -> e.name()).toList());
      assertArrayEquals(Files.readAllBytes(theirHello), read(m, "/hello"));
      assertArrayEquals(Files.readAllBytes(theirBig), read(m, "/dir/big"));
      assertEquals(E2fs.debugfsNames(fsck, "/").stream().sorted().toList(), sortedNames(m, "/"));
    }
    // without the replay the file is not there: the journal, not the image, holds it
    assertEquals(List.of("lost+found"), E2fs.debugfsNames(image, "/"));
  }

  private static List<String> sortedNames(Mounted m, String path) throws IOException {
    return m.fs.list(path).stream().map(e -> e.name()).sorted().toList();
  }

  static byte[] read(Mounted m, String path) throws IOException {
    try (FileHandle h = m.fs.open(path)) {
      ByteBuffer buf = ByteBuffer.allocate((int) m.fs.stat(path).size());
      while (buf.hasRemaining()) {
        if (h.read(buf.position(), buf) < 0) {
          break;
        }
      }
      return buf.array();
    }
  }

  @Test
  void aCleanExt3Image_mountsAsBefore_andSaysItsJournalIsClean() throws Exception {
    Path image = JournalImages.ext3(dir.resolve("j.img"), "8M", 1024);
    try (Mounted m = Mounted.image(image)) {
      assertEquals("clean", m.fs.info().journal());
      ByteBuffer sb = ByteBuffer.wrap(JournalImages.block(image, 1, 1024));
      assertEquals(0, sb.order(ByteOrder.LITTLE_ENDIAN).getInt(0x60) & 0x4);
    }
  }
}
