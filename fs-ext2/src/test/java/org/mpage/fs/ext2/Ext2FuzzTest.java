package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Coverage-guided fuzzing of the ext2 driver with Jazzer (issue 15, item 3). Each input is a whole
 * filesystem image; it is mounted through a real engine and file device and must end, within the
 * time bound, in data or an {@link IOException} with a message. Anything else escaping (a runtime
 * exception, a stack overflow, an out-of-memory) or a timeout is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} (plain {@code mvn verify}) every file in {@code
 * src/test/resources/org/mpage/fs/ext2/Ext2FuzzTestInputs/<method>/} runs once as a regression
 * case: the seeds ({@code seed-*} from {@code src/test/fuzz/make-seeds.sh}, and {@code f_*} images
 * (uncompressed) from e2fsprogs' test suite, GPL-2.0), every crash the fuzzer found, and {@code
 * readonly-write-*}, three mutants (Ext2ReadOnlyNoWritesTest's) whose read-only mount wrote.
 * RELIABILITY.md, "Fuzzing", has the command that fuzzes. {@code mountWalkRead} also fails an input
 * whose read-only mount asked the device for anything but reads.
 */
class Ext2FuzzTest {
  /** Inputs larger than this are cut: the seeds are at most 256 KiB. */
  static final int MAX_IMAGE = 1 << 20;

  /** Directory entries looked at per input, at most. */
  static final int MAX_ENTRIES = 1000;

  /** File bytes read per input, at most (corrupt sizes can claim terabytes). */
  static final long MAX_READ = 2L << 20;

  /** Directory depth walked, at most. */
  static final int MAX_DEPTH = 32;

  /** Time one input may take; a hang is a finding. */
  static final Duration TIME_BOUND = Duration.ofSeconds(10);

  private static Path work;
  private static Path image;

  @BeforeAll
  static void workDir() throws IOException {
    work = Files.createTempDirectory("ext2fuzz");
    image = work.resolve("image");
  }

  @AfterAll
  static void cleanUp() throws IOException {
    Files.deleteIfExists(image);
    Files.deleteIfExists(work);
  }

  /** Mount read-only, walk every directory, stat every entry, read every file and symlink. */
  @FuzzTest(maxDuration = "10m")
  void mountWalkRead(byte[] input) {
    bounded(() -> mountWalkReadOnce(input));
  }

  private static void mountWalkReadOnce(byte[] input) throws IOException {
    writeImage(input);
    WriteRecordingDevice dev = new WriteRecordingDevice(open(true));
    Mounted m;
    try {
      m = Mounted.on(dev, Map.of(), 16, true);
    } catch (IOException e) {
      assertClear(e);
      assertNoWrites(dev);
      return;
    }
    try (m) {
      walk(m, "/", 0, new HashSet<>(), new long[2]);
    } catch (IOException e) {
      assertClear(e); // close (sync) of a read-only mount
    }
    assertNoWrites(dev);
  }

  /** A read-only mount asks the device for nothing but reads (the device would refuse writes). */
  private static void assertNoWrites(WriteRecordingDevice dev) {
    assertTrue(dev.writes().isEmpty(), "a read-only mount wrote: " + dev.writes());
  }

  /**
   * Mount read-write and change things: create, write, extend, mkdir, rename, link, symlink,
   * truncate, unlink, rmdir, sync, unmount. Each step may fail with an IOException and the rest go
   * on; nothing else may escape.
   */
  @FuzzTest(maxDuration = "10m")
  void writeOps(byte[] input) {
    bounded(() -> writeOpsOnce(input));
  }

  private static void writeOpsOnce(byte[] input) throws IOException {
    writeImage(input);
    Mounted m;
    try {
      m = Mounted.on(open(false), Map.of(), 16, false);
    } catch (IOException e) {
      assertClear(e);
      return;
    }
    try (m) {
      List<String> names = List.of();
      try {
        names = m.fs.list("/").stream().map(DirEntry::name).toList();
      } catch (IOException e) {
        assertClear(e);
      }
      step(() -> writeFile(m, "/new", 3000));
      step(() -> writeFile(m, "/new", 70_000)); // into indirect blocks
      step(() -> m.fs.mkdir("/d", 0755));
      step(() -> writeFile(m, "/d/f", 1500));
      step(() -> m.fs.rename("/new", "/d/moved"));
      step(() -> m.fs.link("/d/f", "/hard"));
      step(() -> m.fs.symlink("/d/moved", "/sym"));
      // The image's own entries: write into, rename, truncate and unlink a few.
      int done = 0;
      for (String name : names) {
        if (name.equals(".") || name.equals("..") || done++ >= 4) {
          continue;
        }
        String p = "/" + name;
        step(() -> appendTo(m, p));
        step(() -> m.fs.rename(p, p + ".r"));
        step(() -> m.fs.truncate(p + ".r", 10));
        step(() -> m.fs.unlink(p + ".r"));
        step(() -> m.fs.rmdir(p + ".r"));
      }
      step(() -> m.fs.truncate("/d/moved", 100));
      step(() -> m.fs.unlink("/d/f"));
      step(() -> m.fs.unlink("/hard"));
      step(() -> m.fs.sync());
      step(() -> walk(m, "/", 0, new HashSet<>(), new long[2]));
    } catch (IOException e) {
      assertClear(e); // close: the final sync
    }
  }

  /**
   * Runs one input within {@link #TIME_BOUND}, in fuzzing and in regression runs alike (JUnit's
   * {@code @Timeout} on a fuzz test would bound the whole fuzzing session instead).
   */
  private static void bounded(Step body) {
    assertTimeoutPreemptively(
        TIME_BOUND,
        () -> {
          body.run();
          return null;
        },
        "a hang: one input took longer than " + TIME_BOUND);
  }

  interface Step {
    void run() throws IOException;
  }

  private static void step(Step s) {
    try {
      s.run();
    } catch (IOException e) {
      assertClear(e);
    }
  }

  private static void writeFile(Mounted m, String path, int size) throws IOException {
    byte[] data = new byte[size];
    Arrays.fill(data, (byte) 'z');
    try (FileHandle h = m.fs.openWrite(path, true, false, 0644)) {
      h.write(0, ByteBuffer.wrap(data));
      h.fsync();
    }
  }

  private static void appendTo(Mounted m, String path) throws IOException {
    try (FileHandle h = m.fs.openWrite(path, false, false, 0644)) {
      h.write(
          Math.min(h.size(), 1 << 20), ByteBuffer.wrap("more".getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** Walks depth-first; counts[0] entries seen, counts[1] bytes read. */
  private static void walk(Mounted m, String dir, int depth, Set<Long> seen, long[] counts) {
    walk(m, dir, depth, seen, counts, Ext2FuzzTest::assertClear);
  }

  /**
   * Walks, stats and reads the tree within the bounds; each {@code IOException} goes to {@code
   * onError} and the walk goes on. Shared with {@link Ext2ReadOnlyNoWritesTest}.
   */
  static void walk(
      Mounted m,
      String dir,
      int depth,
      Set<Long> seen,
      long[] counts,
      java.util.function.Consumer<IOException> onError) {
    List<DirEntry> entries;
    try {
      FileStat st = m.fs.stat(dir);
      if (!seen.add(st.ino()) || depth > MAX_DEPTH) {
        return;
      }
      entries = m.fs.list(dir);
    } catch (IOException e) {
      onError.accept(e);
      return;
    }
    for (DirEntry e : entries) {
      if (counts[0]++ >= MAX_ENTRIES) {
        return;
      }
      if (e.name().equals(".") || e.name().equals("..")) {
        continue;
      }
      String path = dir.endsWith("/") ? dir + e.name() : dir + "/" + e.name();
      try {
        FileStat st = m.fs.lstat(path);
        if (st.type() == FileType.DIRECTORY) {
          walk(m, path, depth + 1, seen, counts, onError);
        } else if (st.type() == FileType.SYMLINK) {
          m.fs.readLink(path);
          m.fs.stat(path); // follow it
        } else if (st.type() == FileType.REGULAR && counts[1] < MAX_READ) {
          counts[1] += read(m, path, MAX_READ - counts[1]);
        }
      } catch (IOException ex) {
        onError.accept(ex);
      }
    }
  }

  /**
   * Reads up to {@code cap} bytes of a file, in 64 KiB pieces, and its holes map; returns bytes.
   */
  static long read(Mounted m, String path, long cap) throws IOException {
    try (FileHandle f = m.fs.open(path)) {
      long end = Math.min(f.size(), cap);
      ByteBuffer buf = ByteBuffer.allocate(64 << 10);
      long pos = 0;
      while (pos < end) {
        buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
        int n = f.read(pos, buf);
        if (n <= 0) {
          break;
        }
        pos += n;
      }
      f.nextData(0);
      f.nextHole(0);
      return Math.max(pos, 1);
    }
  }

  /** The input, cut to {@link #MAX_IMAGE} and padded to whole 1 KiB (at least 2 KiB), on disk. */
  private static void writeImage(byte[] input) throws IOException {
    int len = Math.min(input.length, MAX_IMAGE);
    int padded = Math.max(2048, (len + 1023) & ~1023);
    byte[] img = Arrays.copyOf(Arrays.copyOf(input, len), padded);
    Files.write(image, img);
  }

  private static FileDevice open(boolean readOnly) throws IOException {
    return FileDevice.open(FileDeviceConfig.of("fuzz", image).withReadOnly(readOnly));
  }

  private static void assertClear(IOException e) {
    assertTrue(
        e.getMessage() != null && !e.getMessage().isBlank(), "an error without a message: " + e);
  }
}
