package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Damaged journals: each is refused with one clear exception, or read as the kernel reads it (a
 * torn commit ends the log, a copy failing its checksum is skipped), and never loops. The journal
 * is made by debugfs (log blocks: 1 descriptor of transaction 1, 2-3 its data, 4 its commit, 5 the
 * revoke block of transaction 2, 6 its commit), then edited in place.
 */
class Jbd2CorruptJournalTest {
  private static final int BS = 1024;

  @TempDir Path dir;
  private Path image;
  private Path data;

  @BeforeEach
  void dirtyJournal() throws Exception {
    image = dir.resolve("j.img");
  }

  private void make(String... mkfsOptions) throws Exception {
    JournalImages.ext3(image, "8M", BS, mkfsOptions);
    data = JournalImages.data(dir.resolve("d"), 2, BS, 42);
    boolean csum = mkfsOptions.length > 0;
    JournalImages.debugfs(image, csum ? "jo -c" : "jo", "jw -b 300,301 " + data, "jw -r 301", "jc");
  }

  private void edit(long journalBlock, Consumer<ByteBuffer> change) throws Exception {
    JournalImages.editJournalBlock(image, BS, journalBlock, change);
  }

  private <T extends Throwable> T refused(Class<T> type) throws Exception {
    String before = JournalImages.sha256(image);
    T e = assertThrows(type, () -> Mounted.image(image).close());
    assertEquals(before, JournalImages.sha256(image), "the image changed");
    return e;
  }

  private void assertCorrupt(String words) throws Exception {
    CorruptFilesystemException e = refused(CorruptFilesystemException.class);
    assertTrue(e.getMessage().contains(words), e.getMessage());
  }

  @Test
  void garbageJournalSuperblock() throws Exception {
    make();
    byte[] junk = new byte[BS];
    new Random(1).nextBytes(junk);
    edit(0, b -> b.put(0, junk));
    assertCorrupt("journal superblock: bad magic number");
  }

  @Test
  void superblockFieldsOutOfRange() throws Exception {
    make();
    Path pristine = dir.resolve("pristine.img");
    java.nio.file.Files.copy(image, pristine);
    Object[][] cases = {
      {20, 0, "log start block 0 outside the journal"},
      {20, 1024, "log start block 1024 outside the journal"},
      {28, 1024, "log head 1024 outside the log area"},
      {16, 5000, "journal inode holds only 1024"},
      {12, 4096, "block size 4096 differs"},
      {4, 1, "block type 1 is not a journal superblock"},
    };
    for (Object[] c : cases) {
      java.nio.file.Files.copy(pristine, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      edit(0, b -> b.putInt((int) c[0], (int) c[1]));
      assertCorrupt((String) c[2]);
    }
  }

  @Test
  void unknownJournalFeatures_areRefusedByName() throws Exception {
    make();
    edit(0, b -> b.putInt(40, b.getInt(40) | 0x100));
    UnsupportedFeatureException e = refused(UnsupportedFeatureException.class);
    assertTrue(e.features().contains("journal FEATURE_I8"), e.features().toString());
    edit(0, b -> b.putInt(40, (b.getInt(40) & ~0x100) | 0x20));
    e = refused(UnsupportedFeatureException.class);
    assertTrue(e.features().contains("journal_fast_commit"), e.features().toString());
  }

  @Test
  void aDescriptorWithMoreTagsThanFit() throws Exception {
    make();
    // every tag "same UUID", none flagged last: 126 8-byte tags fill the block
    edit(
        1,
        b -> {
          for (int at = 12; at + 8 <= BS; at += 8) {
            b.putInt(at, 300);
            b.putInt(at + 4, 0x2);
          }
        });
    assertCorrupt("has no last tag among the 126 that fit");
  }

  @Test
  @Timeout(60) // a guard against a hang, not a measure: the walk is bounded by the log's size
  void sequencesThatNeverEnd_areRefused() throws Exception {
    make();
    long maxLen = 1024;
    ByteBuffer sb =
        ByteBuffer.wrap(JournalImages.block(image, JournalImages.journalBlocks(image)[0], BS));
    int seq = sb.getInt(24);
    long[] map = JournalImages.journalBlocks(image);
    // the whole log area: revoke blocks of the expected transaction, which never commits
    for (long n = 1; n < maxLen; n++) {
      byte[] block = new byte[BS];
      ByteBuffer b = ByteBuffer.wrap(block);
      b.putInt(0, 0xC03B3998).putInt(4, 5).putInt(8, seq).putInt(12, 16);
      JournalImages.writeBlock(image, map[(int) n], block);
    }
    assertCorrupt("does not end within its 1023 blocks");
  }

  @Test
  void aTagForABlockBeyondTheFilesystem() throws Exception {
    make();
    edit(1, b -> b.putInt(12, 99_999_999));
    assertCorrupt("logs block 99999999, outside the filesystem of 8192 blocks");
  }

  @Test
  void aRevokeBlockClaimingMoreThanItHolds() throws Exception {
    make();
    edit(5, b -> b.putInt(12, BS + 4));
    assertCorrupt("journal revoke block 5 claims 1028 bytes");
  }

  @Test
  void aTornCommit_endsTheLogBeforeItsTransaction_asE2fsckDecides() throws Exception {
    make();
    byte[] before300 = JournalImages.block(image, 300, BS);
    edit(4, b -> b.put(0, new byte[BS]));
    Ext3JournalReplayTest.Replayed r = Ext3JournalReplayTest.replayAndCompare(image, BS);
    assertArrayEquals(before300, r.block(300), "transaction 1 lost its commit");
    assertEquals("replayed 0 transactions, 0 blocks, 0 revoked", r.info().journal());
  }

  @Test
  void checksumV3_aDataCopyFailingItsChecksum_isSkippedAndReported() throws Exception {
    make("-O", "metadata_csum");
    byte[] before300 = JournalImages.block(image, 300, BS);
    edit(2, b -> b.put(100, (byte) (b.get(100) ^ 1)));
    try (Mounted m = Mounted.image(image)) {
      assertEquals(
          "replayed 2 transactions, 0 blocks, 1 revoked; 1 block skipped (bad checksum)",
          m.fs.info().journal());
      assertEquals("clean with errors", m.fs.info().state());
      ByteBuffer raw = Ext2Super.readRaw(m.engine, ((Ext2FileSystem) m.fs).device(), 300L * BS, BS);
      byte[] got = new byte[BS];
      raw.get(0, got);
      assertArrayEquals(before300, got, "the bad copy was not replayed");
    }
  }

  @Test
  void checksumV3_aDescriptorFailingItsChecksum_isCorrupt() throws Exception {
    make("-O", "metadata_csum");
    edit(1, b -> b.put(40, (byte) (b.get(40) ^ 1)));
    assertCorrupt("journal transaction 1 fails its checksum");
  }

  @Test
  void checksumV3_aCommitFailingItsChecksum_endsTheReplay_asE2fsckDecides() throws Exception {
    make("-O", "metadata_csum");
    edit(6, b -> b.put(200, (byte) 1));
    Ext3JournalReplayTest.Replayed r = Ext3JournalReplayTest.replayAndCompare(image, BS);
    assertArrayEquals(JournalImages.block(data, 1, BS), r.block(301), "the revoke did not count");
    assertEquals("clean with errors", r.info().state());
  }

  @Test
  void aReadWriteMount_isRefused_withWhatToDo() throws Exception {
    make();
    String before = JournalImages.sha256(image);
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("img", image));
    UnsupportedFeatureException e =
        assertThrows(
            UnsupportedFeatureException.class, () -> Mounted.on(dev, Map.of(), 128, false));
    assertTrue(
        e.getMessage().contains("needs journal recovery: mount read-only, or run e2fsck"),
        e.getMessage());
    dev.close();
    assertEquals(before, JournalImages.sha256(image));
  }

  @Test
  void anExternalJournal_isRefusedByName() throws Exception {
    make();
    // s_journal_inum 0 and a journal UUID: the journal is on another device
    byte[] block = JournalImages.block(image, 1, BS);
    ByteBuffer sb = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    sb.putInt(0xE0, 0);
    sb.putLong(0xD0, 0x1234_5678L);
    JournalImages.writeBlock(image, 1, block);
    UnsupportedFeatureException e = refused(UnsupportedFeatureException.class);
    assertTrue(e.getMessage().contains("external journal (journal_dev)"), e.getMessage());
  }

  @Test
  void needsRecoveryWithoutAJournal_isCorrupt() throws Exception {
    make();
    byte[] block = JournalImages.block(image, 1, BS);
    ByteBuffer sb = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    sb.putInt(0x5C, sb.getInt(0x5C) & ~0x4);
    JournalImages.writeBlock(image, 1, block);
    assertCorrupt("needs_recovery is set but the filesystem has no journal");
  }
}
