package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BioOp;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.page.Folio;
import org.mpage.device.logwrites.LogWritesDevice;
import org.mpage.device.logwrites.WriteLog;
import org.mpage.device.logwrites.WriteLog.Replay;
import org.mpage.device.ramdisk.RamDisk;

/**
 * Crash points, as xfstests' generic/482 does with dm-log-writes: a seeded random workload on ext2
 * (files written, truncated, renamed and unlinked, directories, symlinks, fsyncs and syncs) runs on
 * a RAM disk under a {@link LogWritesDevice}. Then, for every flush mark, the device as it would be
 * had power failed right after that flush (only what the flush guaranteed: {@link Replay#DURABLE})
 * is replayed into an image; {@code e2fsck -fy} repairs it (its exit status and questions are
 * recorded), {@code e2fsck -fn} must then find it clean, and the repaired image is mounted: every
 * file fsynced before the mark must read back as fsynced, except bytes written again since (which
 * may hold either). Between each two marks one more point is checked: a crash after some write of
 * the sync on a disk without a volatile cache (the log's prefix), where metadata write order shows.
 *
 * <p>The seed is printed, and set with {@code -Dcrash.seed=N}; a summary of the repairs follows.
 */
class Ext2CrashPointsTest {
  private static final long SIZE = 16L << 20;
  private static final int MIN_MARKS = 220;
  private static final int BLOCK = 1024;

  @TempDir Path work;

  /** What an fsync promised: {@code path} holds {@code content} from the points after mark. */
  static final class Promise {
    final String path;
    final byte[] content;
    final int after; // valid at points with at least this many marks completed
    int superseded = Integer.MAX_VALUE; // a later fsync of the path takes over from this many
    int killed = Integer.MAX_VALUE; // renamed, unlinked or truncated by an op of this epoch
    final List<long[]> touched = new ArrayList<>(); // {pos, length, epoch} written since

    Promise(String path, byte[] content, int after) {
      this.path = path;
      this.content = content;
      this.after = after;
    }
  }

  /** The namespace as the workload knows it, and the promises made. */
  static final class Model {
    final Map<String, byte[]> files = new HashMap<>();
    final TreeSet<String> dirs = new TreeSet<>(List.of("/"));
    final TreeSet<String> links = new TreeSet<>();
    final Map<String, Promise> current = new HashMap<>();
    final List<Promise> promises = new ArrayList<>();
    final Set<Integer> syncEnds = new HashSet<>(); // marks made by the last flush of a sync

    void kill(String path, int epoch) {
      for (Map.Entry<String, Promise> e : new ArrayList<>(current.entrySet())) {
        if (e.getKey().equals(path) || e.getKey().startsWith(path + "/")) {
          e.getValue().killed = Math.min(e.getValue().killed, epoch);
          current.remove(e.getKey());
        }
      }
    }
  }

  private static final String[] NAMES = {"a", "b", "c", "d", "e", "f"};

  private static String child(String dir, String name) {
    return dir.equals("/") ? "/" + name : dir + "/" + name;
  }

  private static <T> T pick(List<T> list, Random rnd) {
    return list.get(rnd.nextInt(list.size()));
  }

  /** One random operation; {@code epoch} is the number of marks completed before it. */
  static void step(FileSystem fs, Model model, Random rnd, LogWritesDevice dev) throws IOException {
    int epoch = dev.markCount();
    String dir = pick(new ArrayList<>(model.dirs), rnd);
    String path = child(dir, NAMES[rnd.nextInt(NAMES.length)]);
    boolean isFile = model.files.containsKey(path);
    boolean exists = isFile || model.dirs.contains(path) || model.links.contains(path);
    int kind = rnd.nextInt(100);
    if (kind < 40) {
      if (exists && !isFile) {
        return;
      }
      byte[] data = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 3000 : 30_000)];
      rnd.nextBytes(data);
      int pos = rnd.nextInt(rnd.nextBoolean() ? 4000 : 60_000);
      byte[] old = model.files.getOrDefault(path, new byte[0]);
      byte[] now = java.util.Arrays.copyOf(old, Math.max(old.length, pos + data.length));
      System.arraycopy(data, 0, now, pos, data.length);
      model.files.put(path, now);
      try (FileHandle h = fs.openWrite(path, true, false, 0644)) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          h.write(pos + b.position(), b);
        }
        Promise p = model.current.get(path);
        if (p != null) {
          p.touched.add(new long[] {pos, data.length, epoch});
        }
        if (rnd.nextInt(3) == 0) {
          h.fsync();
          model.syncEnds.add(dev.markCount() - 1);
          promise(model, path, dev);
        }
      }
    } else if (kind < 52) {
      List<String> files = new ArrayList<>(model.files.keySet());
      if (files.isEmpty()) {
        return;
      }
      String f = pick(files, rnd);
      try (FileHandle h = fs.openWrite(f, false, false, 0644)) {
        h.fsync();
        model.syncEnds.add(dev.markCount() - 1);
      }
      promise(model, f, dev);
    } else if (kind < 58) {
      if (!isFile) {
        return;
      }
      int size = rnd.nextInt(model.files.get(path).length + 1);
      model.files.put(path, java.util.Arrays.copyOf(model.files.get(path), size));
      model.kill(path, epoch);
      fs.truncate(path, size);
    } else if (kind < 68) {
      if (exists) {
        return;
      }
      fs.mkdir(path, 0755);
      model.dirs.add(path);
    } else if (kind < 80) {
      if (!exists) {
        return;
      }
      if (model.dirs.contains(path)) {
        if ((model.dirs.higher(path + "/") != null
                && model.dirs.higher(path + "/").startsWith(path + "/"))
            || hasChild(model, path)) {
          return;
        }
        fs.rmdir(path);
        model.dirs.remove(path);
      } else {
        fs.unlink(path);
        model.files.remove(path);
        model.links.remove(path);
      }
      model.kill(path, epoch);
    } else if (kind < 93) {
      if (!exists) {
        return;
      }
      String to = child(pick(new ArrayList<>(model.dirs), rnd), NAMES[rnd.nextInt(NAMES.length)]);
      if (to.equals(path) || to.startsWith(path + "/")) {
        return;
      }
      boolean toExists =
          model.files.containsKey(to) || model.dirs.contains(to) || model.links.contains(to);
      if (toExists) {
        boolean bothDirs = model.dirs.contains(path) && model.dirs.contains(to);
        boolean neitherDir = !model.dirs.contains(path) && !model.dirs.contains(to);
        if (!(bothDirs && !hasChild(model, to)) && !neitherDir) {
          return;
        }
      }
      fs.rename(path, to);
      model.kill(path, epoch);
      model.kill(to, epoch);
      model.files.remove(to);
      model.links.remove(to);
      model.dirs.remove(to);
      if (model.files.containsKey(path)) {
        model.files.put(to, model.files.remove(path));
      } else if (model.links.remove(path)) {
        model.links.add(to);
      } else {
        for (String d : new ArrayList<>(model.dirs)) {
          if (d.equals(path) || d.startsWith(path + "/")) {
            model.dirs.remove(d);
            model.dirs.add(to + d.substring(path.length()));
          }
        }
        for (String f : new ArrayList<>(model.files.keySet())) {
          if (f.startsWith(path + "/")) {
            model.files.put(to + f.substring(path.length()), model.files.remove(f));
          }
        }
        for (String l : new ArrayList<>(model.links)) {
          if (l.startsWith(path + "/")) {
            model.links.remove(l);
            model.links.add(to + l.substring(path.length()));
          }
        }
      }
    } else if (kind < 97) {
      if (exists) {
        return;
      }
      fs.symlink("target-" + rnd.nextInt(1000), path);
      model.links.add(path);
    } else {
      fs.sync();
      model.syncEnds.add(dev.markCount() - 1);
      for (String f : model.files.keySet()) {
        promise(model, f, dev);
      }
    }
  }

  private static boolean hasChild(Model model, String dir) {
    String prefix = dir + "/";
    for (String s : model.files.keySet()) {
      if (s.startsWith(prefix)) {
        return true;
      }
    }
    for (String s : model.links) {
      if (s.startsWith(prefix)) {
        return true;
      }
    }
    String d = model.dirs.higher(prefix);
    return d != null && d.startsWith(prefix);
  }

  private static void promise(Model model, String path, LogWritesDevice dev) {
    int after = dev.markCount(); // the fsync's flush is the last mark
    Promise old = model.current.get(path);
    if (old != null) {
      old.superseded = after;
    }
    Promise p = new Promise(path, model.files.get(path).clone(), after);
    model.current.put(path, p);
    model.promises.add(p);
  }

  /** Copies an image into a RAM disk, page by page through rw_page. */
  static void load(Path image, RamDisk ram) throws IOException {
    byte[] all = Files.readAllBytes(image);
    for (int off = 0; off < all.length; off += Folio.PAGE_SIZE) {
      ByteBuffer page = ByteBuffer.allocate(Folio.PAGE_SIZE);
      page.put(all, off, Folio.PAGE_SIZE);
      assertTrue(ram.rwPage(BioOp.WRITE, off / 512, new Folio(null, 0, page)).isOk());
    }
  }

  /** e2fsck's questions, numbers and names taken out, so that points can be compared. */
  static List<String> repairs(String out) {
    List<String> found = new ArrayList<>();
    String previous = "";
    for (String line : out.split("\n", -1)) {
      String l = line.trim();
      if (l.contains("? yes")) {
        String q = l.length() < 24 && !previous.isEmpty() ? previous + " " + l : l;
        found.add(normalize(q));
      }
      if (!l.isEmpty()) {
        previous = l;
      }
    }
    return found;
  }

  private static final Pattern LOST_ENTRY = Pattern.compile("has deleted/unused inode (\\d+)");
  private static final Pattern QUOTED = Pattern.compile("'[^']*'");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final Pattern PATH = Pattern.compile(" in /\\S*");

  static String normalize(String q) {
    String s = QUOTED.matcher(q).replaceAll("'X'");
    s = PATH.matcher(s).replaceAll(" in DIR");
    return NUMBER.matcher(s).replaceAll("N").replaceAll("\\s+", " ");
  }

  /** Figures of one kind of point. */
  static final class Summary {
    int points;
    int clean;
    final Map<Integer, Integer> exits = new TreeMap<>();
    final Map<String, Integer> repairs = new TreeMap<>();
    int promisesChecked;
    int violations;
    int staleBlocks;
    String firstStale;
    String firstViolation;
    String firstLostEntry; // where e2fsck had to clear an entry naming a freed inode, and its words
    int clearedForReusedBlocks; // entries lost because pass 1 cleared their inode (block reuse)

    void add(int exit, List<String> found) {
      points++;
      exits.merge(exit, 1, Integer::sum);
      if (found.isEmpty()) {
        clean++;
      }
      for (String r : new TreeSet<>(found)) {
        repairs.merge(r, 1, Integer::sum);
      }
    }

    String text(String what) {
      StringBuilder b = new StringBuilder();
      b.append(what)
          .append(": ")
          .append(points)
          .append(" points, ")
          .append(clean)
          .append(" needed no repair; e2fsck -fy exit statuses ")
          .append(exits)
          .append("; fsynced files checked: ")
          .append(promisesChecked)
          .append(", of which differed from what was fsynced: ")
          .append(violations)
          .append('\n');
      b.append("  fsynced bytes reading stale data, in a block a later unsynced write allocated: ")
          .append(staleBlocks)
          .append(" files\n");
      if (firstStale != null) {
        b.append("  first stale block: ").append(firstStale).append('\n');
      }
      if (clearedForReusedBlocks > 0) {
        b.append("  entries cleared with an inode e2fsck cleared for illegal blocks: ")
            .append(clearedForReusedBlocks)
            .append('\n');
      }
      if (firstViolation != null) {
        b.append("  first difference: ").append(firstViolation).append('\n');
      }
      repairs.forEach(
          (r, n) -> b.append("  ").append(n).append(" points: ").append(r).append('\n'));
      return b.toString();
    }
  }

  @Test
  void everyFlushPoint_isRepairedByE2fsck_andKeepsWhatWasFsynced() throws Exception {
    long seed = Long.getLong("crash.seed", 20_260_815L);
    System.out.println("Ext2CrashPointsTest seed " + seed + " (-Dcrash.seed=" + seed + ")");
    Path base = E2fs.mkfs(work.resolve("base.img"), "16M", null, "-b", "1024", "-g", "2048");
    Path start = Files.copy(base, work.resolve("start.img"));
    RamDisk ram = new RamDisk("ram", SIZE);
    load(base, ram);
    LogWritesDevice dev = new LogWritesDevice("lw", ram, true);
    Model model = new Model();
    Random rnd = new Random(seed);
    int ops = 0;
    try (Mounted m = Mounted.on(dev, Map.of(), 128, false)) {
      while (model.syncEnds.size() < MIN_MARKS && ops < 20_000) {
        step(m.fs, model, rnd, dev);
        ops++;
      }
    }
    WriteLog log = dev.log();
    List<WriteLog.Mark> marks = log.durabilityMarks();
    System.out.println(
        "workload: "
            + ops
            + " operations, "
            + log.writes().size()
            + " writes, "
            + marks.size()
            + " flush/FUA marks, "
            + model.promises.size()
            + " fsync promises");
    assertTrue(marks.size() >= MIN_MARKS, "marks: " + marks.size());

    Summary flushPoints = new Summary();
    Summary orderPoints = new Summary();
    Summary writePoints = new Summary();
    Path point = work.resolve("point.img");
    Random pickWrite = new Random(seed ^ 0x5eed);
    try (WriteLog.Replayer replayer = log.replayer(start)) {
      int previousEnd = 0;
      for (WriteLog.Mark mark : marks) {
        // a crash after one of the writes before this mark, on a disk with no volatile cache
        int from = Math.max(previousEnd, replayer.applied());
        if (mark.writesBefore() - from > 1) {
          int n = from + 1 + pickWrite.nextInt(mark.writesBefore() - from - 1);
          replayer.writes(n, point);
          check(
              point,
              model,
              mark.number(),
              mark.number() + 1,
              "after write " + n,
              writePoints,
              false);
        }
        replayer.mark(mark.number(), Replay.DURABLE, point);
        boolean syncEnd = model.syncEnds.contains(mark.number());
        check(
            point,
            model,
            mark.number() + 1,
            mark.number() + 1,
            "at mark " + mark,
            syncEnd ? flushPoints : orderPoints,
            true);
        previousEnd = mark.writesBefore();
      }
    }
    Files.deleteIfExists(point);
    System.out.print(flushPoints.text("flush/FUA points ending a sync (durable writes only)"));
    System.out.print(orderPoints.text("flush points between the rounds of an ordered sync"));
    System.out.print(writePoints.text("mid-sync points (a prefix of the writes)"));
    assertEquals(marks.size(), flushPoints.points + orderPoints.points);
    assertTrue(flushPoints.points >= MIN_MARKS, "sync ends: " + flushPoints.points);
    // Every sync writes all metadata before its last flush: such a point is a consistent
    // filesystem.
    assertEquals(Map.of(), flushPoints.repairs, "repairs at flush points ending a sync");
    // Ordered metadata: no point of any kind has an entry naming an inode not (or no longer) there,
    // the damage e2fsck can only repair by deleting the entry.
    for (Summary sm : List.of(flushPoints, orderPoints, writePoints)) {
      assertNull(sm.firstLostEntry, sm.firstLostEntry);
    }
  }

  /**
   * Repairs the image at a point and checks the promises: {@code after} marks had completed, and
   * operations of epochs below {@code horizon} may have reached the disk.
   */
  private static void check(
      Path image,
      Model model,
      int after,
      int horizon,
      String where,
      Summary summary,
      boolean strict)
      throws Exception {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fy", image.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    if (exit > 1) {
      fail(where + ": e2fsck -fy exit " + exit + ":\n" + out);
    }
    summary.add(exit, repairs(out));
    java.util.regex.Matcher lost = LOST_ENTRY.matcher(out);
    while (lost.find()) {
      if (out.contains("Inode " + lost.group(1) + " has illegal block(s)")) {
        // The inode reached the disk before its entry, but e2fsck cleared it in pass 1: one of its
        // blocks was freed and reused before the freeing was on disk (see RELIABILITY.md).
        summary.clearedForReusedBlocks++;
      } else if (summary.firstLostEntry == null) {
        summary.firstLostEntry = where + ":\n" + out;
      }
    }
    Ext2RandomOpsTest.fsck(image);
    try (Mounted m = Mounted.image(image)) {
      for (Promise pr : model.promises) {
        if (after < pr.after || after >= pr.superseded || horizon > pr.killed) {
          continue;
        }
        byte[] got;
        try {
          got = Ext2ReadTest.readAll(m.fs, pr.path);
        } catch (IOException e) {
          throw new AssertionError(where + ": fsynced " + pr.path + " unreadable\n" + out, e);
        }
        summary.promisesChecked++;
        assertTrue(
            got.length >= pr.content.length,
            where + ": " + pr.path + " shrank to " + got.length + " from " + pr.content.length);
        for (int i = 0; i < pr.content.length; i++) {
          if (got[i] != pr.content[i] && !touched(pr, i, horizon, 1)) {
            if (touched(pr, i, horizon, BLOCK)) {
              summary.staleBlocks++;
              if (summary.firstStale == null) {
                summary.firstStale = where + ": " + pr.path + " byte " + i;
              }
              break;
            }
            StringBuilder t = new StringBuilder();
            for (long[] x : pr.touched) {
              t.append(java.util.Arrays.toString(x));
            }
            String message =
                where
                    + ": "
                    + pr.path
                    + " differs at byte "
                    + i
                    + " (got "
                    + got[i]
                    + ", fsynced "
                    + pr.content[i]
                    + "; fsynced before mark "
                    + (pr.after - 1)
                    + ", "
                    + got.length
                    + " bytes now, "
                    + pr.content.length
                    + " then; written since {pos, length, epoch}: "
                    + t
                    + ")";
            if (strict) {
              fail(message + "\n" + out);
            }
            summary.violations++;
            if (summary.firstViolation == null) {
              summary.firstViolation = message;
            }
            break;
          }
        }
      }
    }
  }

  /**
   * Whether a write of an epoch below {@code horizon} covered {@code pos}, counting whole units of
   * {@code unit} bytes: with a block, the bytes of a hole that a later write allocated
   * (block_write_ begin allocates at write time; the inode may reach the disk before the block's
   * data, as ext2 orders no data before metadata).
   */
  private static boolean touched(Promise p, long pos, int horizon, int unit) {
    for (long[] t : p.touched) {
      long from = t[0] / unit * unit;
      long to = (t[0] + t[1] + unit - 1) / unit * unit;
      if (t[2] < horizon && pos >= from && pos < to) {
        return true;
      }
    }
    return false;
  }
}
