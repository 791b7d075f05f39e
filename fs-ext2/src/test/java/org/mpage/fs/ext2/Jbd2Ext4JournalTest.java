package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpage.fs.ext2.jbd2.Jbd2Recovery;
import org.mpage.fs.ext2.jbd2.JournalMap;
import org.mpage.fs.ext2.jbd2.JournalSuperblock;
import org.mpage.fs.ext2.jbd2.RecoveryResult;

/**
 * The recovery alone on an ext4 journal (64-bit block tags and revoke records, checksum v3 with
 * journal_tag3_t, an extent-mapped journal inode), which this driver cannot mount yet: the journal
 * map comes from {@code debugfs stat <8>}, the blocks straight from the image file. The replayed
 * blocks must be exactly those e2fsck's recovery changed, with the same content.
 */
class Jbd2Ext4JournalTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}-byte blocks")
  @ValueSource(ints = {1024, 4096})
  void journal64bitChecksumV3_replaysWhatE2fsckReplays(int bs) throws Exception {
    Path image = dir.resolve("e4.img");
    E2fs.run(
        List.of(
            E2fs.tool("mke2fs"),
            "-q",
            "-F",
            "-t",
            "ext4",
            "-O",
            "64bit,metadata_csum",
            "-b",
            String.valueOf(bs),
            image.toString(),
            "32M"));
    Path data = JournalImages.data(dir.resolve("d"), 6, bs, 64);
    Path torn = JournalImages.data(dir.resolve("t"), 1, bs, 65);
    JournalImages.debugfs(
        image,
        "jo -c",
        "jw -b 1500-1503 " + data,
        "jw -r 1501,1502",
        "jw -b 1502,1600 " + data,
        "jw -b 1700 -c " + torn,
        "jc");
    String header = E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", image.toString()));
    assertTrue(header.contains("journal_64bit") && header.contains("journal_checksum_v3"), header);
    Path oracle = JournalImages.recoveredCopy(image);

    long[] map = JournalImages.journalBlocks(image);
    JournalMap bmap = n -> map[(int) n];
    long fsBlocks = Files.size(image) / bs;
    JournalSuperblock sb =
        Jbd2Recovery.loadSuperblock(
            bmap, b -> JournalImages.block(image, b, bs), bs, map.length, fsBlocks);
    RecoveryResult r =
        Jbd2Recovery.recover(sb, bmap, b -> JournalImages.block(image, b, bs), fsBlocks);
    assertEquals("replayed 3 transactions, 4 blocks, 2 revoked", r.summary());

    List<Long> changedByE2fsck = new ArrayList<>();
    long superBlock = 1024 / bs;
    for (long b = 0; b < fsBlocks; b++) {
      if (b == superBlock || b == map[0]) {
        continue; // e2fsck rewrites the superblock and resets the journal superblock
      }
      byte[] theirs = JournalImages.block(oracle, b, bs);
      if (!Arrays.equals(JournalImages.block(image, b, bs), theirs)) {
        changedByE2fsck.add(b);
      }
      if (r.blocks().containsKey(b)) {
        assertArrayEquals(theirs, r.blocks().get(b), "block " + b);
      }
    }
    assertEquals(changedByE2fsck, List.copyOf(r.blocks().keySet()));
    assertEquals(List.of(1500L, 1502L, 1503L, 1600L), changedByE2fsck);
    assertArrayEquals(JournalImages.block(data, 0, bs), r.blocks().get(1502L), "logged again");
  }
}
