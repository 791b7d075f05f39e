package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random journals: a few transactions of random blocks (some logged several times), random revokes,
 * sometimes a last transaction without its commit block, with or without checksum v3, at 1 KiB and
 * 4 KiB blocks, the log sometimes rotated so that it wraps. Each is compared with e2fsck's recovery
 * block by block ({@link Ext3JournalReplayTest#replayAndCompare}) and with a model of the replay
 * rules (the last committed copy wins, a revoke in transaction T hides copies from T and earlier,
 * an uncommitted transaction counts for nothing). The seed is in every message; one run in each
 * invocation uses a fresh seed, printed.
 */
class Ext3JournalRandomTest {
  @TempDir Path dir;

  static Stream<Long> seeds() {
    long fresh = System.nanoTime();
    System.out.println("Ext3JournalRandomTest fresh seed: " + fresh);
    return Stream.concat(LongStream.rangeClosed(1, 9).boxed(), Stream.of(fresh));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomJournal_replaysAsE2fsckAndTheModel(long seed) throws Exception {
    Random rnd = new Random(seed);
    int bs = rnd.nextBoolean() ? 1024 : 4096;
    boolean csum = rnd.nextBoolean();
    String where = "seed " + seed + ", " + bs + "-byte blocks, " + (csum ? "csum v3" : "no csum");
    Path image = dir.resolve("r.img");
    String journal = "size=" + bs / 1024; // the smallest journal, 1024 blocks
    if (csum) {
      JournalImages.ext3(image, "16M", bs, "-O", "metadata_csum", "-J", journal);
    } else {
      JournalImages.ext3(image, "16M", bs, "-J", journal);
    }
    int fsBlocks = (int) (Files.size(image) / bs);
    long low = fsBlocks / 2; // clear of the metadata at the start of the filesystem
    List<String> script = new ArrayList<>(List.of(csum ? "jo -c" : "jo"));
    // the model: per transaction, what it logs (block -> content) and what it revokes
    List<Map<Long, byte[]>> logged = new ArrayList<>();
    List<TreeSet<Long>> revoked = new ArrayList<>();
    int transactions = 1 + rnd.nextInt(6);
    List<Long> everLogged = new ArrayList<>();
    boolean torn = rnd.nextInt(3) == 0;
    for (int t = 0; t < transactions + (torn ? 1 : 0); t++) {
      // A transaction logs blocks or revokes some: debugfs 1.47.0 writes no commit block for a
      // jw given both -b and -r (its recovery then ends the log there, as this one does).
      TreeSet<Long> blocks = new TreeSet<>();
      TreeSet<Long> revokes = new TreeSet<>();
      int n = 1 + rnd.nextInt(5);
      if (t > 0 && t < transactions && rnd.nextBoolean()) {
        // revoke mostly blocks logged before, so that revokes hit
        List<Long> earlier = new ArrayList<>(new TreeSet<>(everLogged));
        for (int k = 0; k < n; k++) {
          revokes.add(
              rnd.nextInt(4) > 0
                  ? earlier.get(rnd.nextInt(earlier.size()))
                  : low + rnd.nextInt(12));
        }
      } else {
        while (blocks.size() < n) {
          blocks.add(low + rnd.nextInt(12));
        }
        everLogged.addAll(blocks);
      }
      Path content = JournalImages.data(dir.resolve("d" + t), blocks.size(), bs, rnd.nextLong());
      Map<Long, byte[]> copies = new HashMap<>();
      int i = 0;
      for (long b : blocks) {
        copies.put(b, JournalImages.block(content, i++, bs));
      }
      StringBuilder jw = new StringBuilder("jw");
      if (!blocks.isEmpty()) {
        jw.append(" -b ").append(join(blocks));
      }
      if (!revokes.isEmpty()) {
        jw.append(" -r ").append(join(revokes));
      }
      if (t == transactions) {
        jw.append(" -c"); // the torn one: written, never committed
      }
      script.add(jw.append(' ').append(content).toString());
      if (t < transactions) {
        logged.add(copies);
        revoked.add(revokes);
      }
    }
    script.add("jc");
    Map<Long, byte[]> before = new TreeMap<>();
    for (long b = low; b < low + 12; b++) {
      before.put(b, JournalImages.block(image, b, bs));
    }
    JournalImages.debugfs(image, script.toArray(String[]::new));
    if (rnd.nextBoolean()) {
      JournalImages.rotateLog(image, bs, rnd.nextInt(1023));
    }

    Ext3JournalReplayTest.Replayed r = Ext3JournalReplayTest.replayAndCompare(image, bs);

    Map<Long, Integer> lastRevoke = new HashMap<>();
    for (int t = 0; t < revoked.size(); t++) {
      for (long b : revoked.get(t)) {
        lastRevoke.put(b, t);
      }
    }
    Map<Long, byte[]> expected = new TreeMap<>(before);
    int replays = 0;
    int hits = 0;
    for (int t = 0; t < logged.size(); t++) {
      for (Map.Entry<Long, byte[]> e : logged.get(t).entrySet()) {
        if (lastRevoke.getOrDefault(e.getKey(), -1) >= t) {
          hits++;
        } else {
          expected.put(e.getKey(), e.getValue());
          replays++;
        }
      }
    }
    for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), r.block(e.getKey()), where + ": block " + e.getKey());
    }
    String plural = logged.size() == 1 ? "" : "s";
    assertEquals(
        "replayed "
            + logged.size()
            + " transaction"
            + plural
            + ", "
            + replays
            + " block"
            + (replays == 1 ? "" : "s")
            + ", "
            + hits
            + " revoked",
        r.info().journal(),
        where);
  }

  private static String join(java.util.SortedSet<Long> blocks) {
    return String.join(",", blocks.stream().map(String::valueOf).toList());
  }
}
