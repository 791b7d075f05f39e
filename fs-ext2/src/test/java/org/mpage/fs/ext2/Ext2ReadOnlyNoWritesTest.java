package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * A read-only mount writes nothing: not at mount, not while walking and reading, not at unmount,
 * whatever the image holds. Each image is mounted read-only on a device that records every request
 * other than a read; the walk lists every directory, stats every entry, reads every file and
 * follows every symlink, then unmounts.
 */
class Ext2ReadOnlyNoWritesTest {
  private static final Path SEEDS =
      Path.of("src/test/resources/org/mpage/fs/ext2/Ext2FuzzTestInputs/mountWalkRead");

  @TempDir Path work;

  /** Mounts {@code image} read-only, walks and reads it, unmounts; returns what was written. */
  static List<String> walkReadOnly(Path image) throws IOException {
    WriteRecordingDevice dev =
        new WriteRecordingDevice(
            FileDevice.open(FileDeviceConfig.of("ro", image).withReadOnly(true)));
    Mounted m;
    try {
      m = Mounted.on(dev, Map.of(), 16, true);
    } catch (IOException e) {
      return dev.writes(); // refused: still nothing may have been written
    }
    try (m) {
      // damaged entries are skipped: what counts here is that nothing is written
      Ext2FuzzTest.walk(m, "/", 0, new HashSet<>(), new long[2], e -> {});
    } catch (IOException e) {
      // the unmount of a damaged image may report; what matters is what was written
    }
    return dev.writes();
  }

  /**
   * An inode that a directory names but whose link count is 0 (and not deleted: e2fsck would
   * reconnect it) is read as any file. Closing it must not free it: that is e2fsck's job, and the
   * mount may not write. It did: the last close freed the inode and its blocks, and the unmount
   * wrote the bitmaps, the inode table and the superblock.
   */
  @Test
  void anInodeWithoutLinks_isReadButNotFreed() throws Exception {
    Path image = work.resolve("nolinks.img");
    Files.copy(SEEDS.resolve("seed-4k-256k"), image);
    E2fs.debugfs(image, true, "sif /small.txt links_count 0");
    E2fs.debugfs(image, true, "sif /dir/sub/numbers links_count 0");
    byte[] before = Files.readAllBytes(image);
    assertEquals(List.of(), walkReadOnly(image));
    try (Mounted m = Mounted.image(image)) {
      assertEquals(
          "hello, fuzzer\n",
          new String(Ext2ReadTest.readAll(m.fs, "/small.txt"), StandardCharsets.UTF_8));
      assertEquals(0, m.fs.stat("/small.txt").links());
    }
    assertTrue(
        java.util.Arrays.equals(before, Files.readAllBytes(image)), "the image is unchanged");
  }

  /**
   * The read-only fuzz target's regression inputs, among them three mutants of the test below (seed
   * 20260901, 20,000 mutants: numbers 9906, 16341 and 18856) whose mount wrote, each with a file
   * whose link count is 0.
   */
  @Test
  void fuzzRegressionInputs_readOnly_writeNothing() throws Exception {
    Map<String, List<String>> writers = new TreeMap<>();
    List<Path> inputs;
    try (Stream<Path> s = Files.list(SEEDS)) {
      inputs = s.sorted().toList();
    }
    assertTrue(inputs.stream().filter(p -> p.toString().contains("readonly-write-")).count() >= 3);
    for (Path p : inputs) {
      Path image = work.resolve("input.img");
      Files.copy(p, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      List<String> writes = walkReadOnly(image);
      if (!writes.isEmpty()) {
        writers.put(p.getFileName().toString(), writes);
      }
    }
    assertEquals(Map.of(), writers);
  }

  /** Every image of e2fsprogs' test suite, mountable or not. */
  @Test
  void everyE2fsprogsImage_readOnly_writesNothing() throws Exception {
    List<Path> cases = new ArrayList<>();
    try (Stream<Path> s = Files.list(E2fsprogsImagesTest.IMAGES)) {
      s.filter(p -> Files.exists(p.resolve("image.gz"))).sorted().forEach(cases::add);
    }
    assertTrue(cases.size() >= 190, "found " + cases.size());
    Map<String, List<String>> writers = new TreeMap<>();
    for (Path c : cases) {
      Path image = work.resolve("e2.img");
      try (InputStream in = new GZIPInputStream(Files.newInputStream(c.resolve("image.gz")))) {
        Files.copy(in, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      List<String> writes = walkReadOnly(image);
      if (!writes.isEmpty()) {
        writers.put(c.getFileName().toString(), writes);
      }
    }
    assertEquals(Map.of(), writers);
  }

  /**
   * Seeded mutants of the fuzzers' mke2fs seeds: random bytes in the metadata (the first 24 KiB),
   * zeroed 16-bit fields there (counts, link counts, modes), random bytes anywhere.
   */
  @Test
  void mutatedImages_readOnly_writeNothing() throws Exception {
    long seed = Long.getLong("ro.seed", 20260901L);
    int count = Integer.getInteger("ro.mutants", 1500);
    System.out.println("Ext2ReadOnlyNoWritesTest seed " + seed + ", " + count + " mutants");
    List<byte[]> bases = new ArrayList<>();
    try (Stream<Path> s = Files.list(SEEDS)) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().startsWith("seed-")).sorted().toList()) {
        bases.add(Files.readAllBytes(p));
      }
    }
    assertEquals(4, bases.size());
    Random rnd = new Random(seed);
    Path image = work.resolve("mutant.img");
    Map<Integer, List<String>> writers = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      byte[] img = mutate(bases.get(rnd.nextInt(bases.size())).clone(), rnd);
      Files.write(image, img);
      List<String> writes = walkReadOnly(image);
      if (!writes.isEmpty()) {
        writers.put(i, writes);
        Files.write(work.resolve("writer-" + i + ".img"), img);
      }
    }
    assertEquals(Map.of(), writers, "mutants (seed " + seed + ") whose read-only mount wrote");
  }

  private static byte[] mutate(byte[] img, Random rnd) {
    int metadata = Math.min(img.length, 24 << 10);
    for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
      switch (rnd.nextInt(3)) {
        case 0 -> img[rnd.nextInt(metadata)] = (byte) rnd.nextInt(256);
        case 1 -> {
          int at = rnd.nextInt(metadata / 2) * 2;
          img[at] = 0;
          img[at + 1] = 0;
        }
        default -> img[rnd.nextInt(img.length)] = (byte) rnd.nextInt(256);
      }
    }
    return img;
  }
}
