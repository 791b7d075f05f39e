package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * A superblock whose geometry contradicts itself is refused at mount, and the first backup
 * superblock says which value to trust. Before this check an inodes-per-group off by one mounted,
 * and every inode past the first group was read from the wrong slot: other files' bytes.
 */
class Ext2SuperblockCheckTest {
  static final int FILES = 400;

  @TempDir Path work;

  /** Sizes that give two block groups, so that group 1 holds the first backup. */
  private static String twoGroups(int blockSize) {
    return switch (blockSize) {
      case 1024 -> "16M";
      case 2048 -> "64M";
      default -> "160M";
    };
  }

  private Path image(int blockSize) throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    for (int i = 0; i < FILES; i++) {
      Files.write(src.resolve("f" + i), content(i));
    }
    return E2fs.mkfs(
        work.resolve("s" + blockSize + ".img"), twoGroups(blockSize), src, "-b", "" + blockSize);
  }

  static byte[] content(int i) {
    return ("file " + i + " ").repeat(40).getBytes(StandardCharsets.US_ASCII);
  }

  static long peek32(Path image, long byteOffset) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, byteOffset);
      return Integer.toUnsignedLong(b.getInt(0));
    }
  }

  static void poke32(Path image, long byteOffset, long value) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.write(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) value), byteOffset);
    }
  }

  /** What {@code e2fsck -fn} says, whatever its exit status. */
  static String fsckSays(Path image) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fn", image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out + "\n(exit " + p.exitValue() + ")";
  }

  static Mounted mountReadWrite(Path image) throws IOException {
    return Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false);
  }

  private static String refusal(Path image, boolean readOnly) {
    CorruptFilesystemException e =
        assertThrows(
            CorruptFilesystemException.class,
            () -> (readOnly ? Mounted.image(image) : mountReadWrite(image)).close());
    return e.problem();
  }

  private static void readsRight(Mounted m) throws IOException {
    for (int i = 0; i < FILES; i++) {
      assertArrayEquals(content(i), Ext2ReadTest.readAll(m.fs, "/f" + i), "/f" + i);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1024, 2048, 4096})
  void inodesPerGroupOffByOne_refusedNamingTheBackupsValue(int blockSize) throws Exception {
    Path image = image(blockSize);
    long ipg = peek32(image, 1024 + 40);
    long inodes = peek32(image, 1024);
    long backup = blockSize == 1024 ? 8193 : 8L * blockSize;
    poke32(image, 1024 + 40, ipg + 1);
    byte[] before = Files.readAllBytes(image);

    String expected =
        String.format(
            "superblock: inodes per group %d does not fit 2 groups and %d inodes; the backup"
                + " superblock at block %d says %d (e2fsck -b %d repairs it)",
            ipg + 1, inodes, backup, ipg, backup);
    assertEquals(expected, refusal(image, true));
    assertEquals(expected, refusal(image, false));
    assertArrayEquals(before, Files.readAllBytes(image), "a refused mount writes nothing");
    assertTrue(fsckSays(image).contains("superblock is corrupt"), fsckSays(image));

    // The same image with the field restored mounts and reads every file right.
    poke32(image, 1024 + 40, ipg);
    try (Mounted m = Mounted.image(image)) {
      readsRight(m);
    }
  }

  @Test
  void inodesCountOffByOne_theBackupNamesTheFieldThatDiffers() throws Exception {
    Path image = image(4096);
    long inodes = peek32(image, 1024);
    poke32(image, 1024, inodes + 1);
    String problem = refusal(image, true);
    assertTrue(
        problem.endsWith(
            "; the backup superblock at block 32768 says inodes count "
                + inodes
                + " (e2fsck -b 32768 repairs it)"),
        problem);
  }

  @Test
  void blocksPerGroupInsane_theBackupIsLookedForWhereMke2fsPutsIt() throws Exception {
    Path image = image(1024);
    poke32(image, 1024 + 32, 0);
    assertEquals(
        "superblock: bad blocks per group 0 (not within 8..8192); the backup superblock at block"
            + " 8193 says 8192 (e2fsck -b 8193 repairs it)",
        refusal(image, true));
  }

  @Test
  void backupAsBadAsThePrimary_refusedWithoutARepairHint() throws Exception {
    Path image = image(1024);
    long ipg = peek32(image, 1024 + 40);
    poke32(image, 1024 + 40, ipg + 1);
    poke32(image, 8193L * 1024 + 40, ipg + 1);
    String problem = refusal(image, true);
    assertTrue(
        problem.contains("the backup superblock at block 8193 is no better (inodes per group"),
        problem);
    assertTrue(problem.endsWith(": run e2fsck"), problem);
  }

  @Test
  void freeInodesAboveTotal_refusedReadWriteOnly() throws Exception {
    Path image = image(1024);
    long inodes = peek32(image, 1024);
    poke32(image, 1024 + 16, inodes + 5);
    assertEquals(
        "superblock: free inodes count "
            + (inodes + 5)
            + " exceeds the "
            + inodes
            + " inodes: mount read-only, or run e2fsck to recount",
        refusal(image, false));
    try (Mounted m = Mounted.image(image)) {
      readsRight(m); // reads never use the free counts
    }
  }
}
