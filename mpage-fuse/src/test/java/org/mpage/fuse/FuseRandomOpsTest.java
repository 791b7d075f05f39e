package org.mpage.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * Random operations through real system calls on a FUSE mount, checked against a model in memory,
 * in the spirit of fsx: positional writes and reads, truncates up and down (ftruncate), fsync,
 * renames across directories over existing files, deletes, whole-file reads, sizes through stat.
 * Seeded; the seed is printed and {@code -Dmpage.seed=S} replays a run. The image is e2fsck-clean
 * afterwards and debugfs reads every file as the model has it.
 */
class FuseRandomOpsTest {
  private static final int OPS = Integer.getInteger("mpage.fsx.ops", 10_000);
  private static final int MAX_SIZE = 1 << 20;
  private static final List<String> NAMES = names();

  @TempDir Path work;

  private static List<String> names() {
    List<String> n = new ArrayList<>();
    for (String d : List.of("d0", "d1", "d2/deeper")) {
      for (int i = 0; i < 3; i++) {
        n.add(d + "/f" + i);
      }
    }
    return n;
  }

  /** The model: each existing file's bytes. */
  private final Map<String, byte[]> model = new TreeMap<>();

  /** Files open on the mount (closed before a rename or delete touches them). */
  private final Map<String, RandomAccessFile> open = new HashMap<>();

  private Path mnt;

  private RandomAccessFile file(String name) throws IOException {
    RandomAccessFile f = open.get(name);
    if (f == null) {
      f = new RandomAccessFile(mnt.resolve(name).toFile(), "rw"); // O_RDWR|O_CREAT
      open.put(name, f);
      model.putIfAbsent(name, new byte[0]);
    }
    return f;
  }

  private void closeFile(String name) throws IOException {
    RandomAccessFile f = open.remove(name);
    if (f != null) {
      f.close();
    }
  }

  @Test
  void randomOperationsMatchTheModel() throws Exception {
    Mounted.assumeFuse();
    long seed = Long.getLong("mpage.seed", System.nanoTime());
    System.out.println(
        "FuseRandomOpsTest seed " + seed + " (replay with -Dmpage.seed=" + seed + ")");
    Random r = new Random(seed);
    Path image = E2fs.mkfs(work.resolve("fsx.img"), "32M", null, "-b", "1024");
    mnt = Files.createDirectory(work.resolve("mnt"));
    int op = 0;
    String last = "";
    try (Mounted m = Mounted.mount(image, mnt, false)) {
      Files.createDirectories(mnt.resolve("d2/deeper"));
      Files.createDirectories(mnt.resolve("d0"));
      Files.createDirectories(mnt.resolve("d1"));
      try {
        for (op = 0; op < OPS; op++) {
          String name = NAMES.get(r.nextInt(NAMES.size()));
          int kind = r.nextInt(100);
          if (kind < 35) {
            int pos = r.nextInt(MAX_SIZE);
            int len = 1 + r.nextInt(r.nextBoolean() ? 512 : 70_000);
            len = Math.min(len, MAX_SIZE - pos);
            byte[] data = new byte[len];
            r.nextBytes(data);
            last = "write " + name + " at " + pos + " len " + len;
            file(name).getChannel().write(ByteBuffer.wrap(data), pos);
            byte[] old = model.get(name);
            byte[] now = Arrays.copyOf(old, Math.max(old.length, pos + len));
            System.arraycopy(data, 0, now, pos, len);
            model.put(name, now);
          } else if (kind < 60) {
            byte[] want = model.get(name);
            if (want == null) {
              last = "read missing " + name;
              assertFalse(Files.exists(mnt.resolve(name)), name);
              continue;
            }
            int pos = r.nextInt(want.length + 100);
            int len = 1 + r.nextInt(80_000);
            last = "read " + name + " at " + pos + " len " + len;
            ByteBuffer got = ByteBuffer.allocate(len);
            FileChannelReads.readFully(file(name).getChannel(), got, pos);
            int expect = Math.max(0, Math.min(len, want.length - pos));
            assertEquals(expect, got.position(), last);
            assertArrayEquals(
                Arrays.copyOfRange(
                    want, Math.min(pos, want.length), Math.min(pos, want.length) + expect),
                Arrays.copyOf(got.array(), expect),
                last);
          } else if (kind < 72) {
            int size = r.nextInt(10) == 0 ? 0 : r.nextInt(MAX_SIZE);
            last = "ftruncate " + name + " to " + size;
            file(name).setLength(size);
            model.put(name, Arrays.copyOf(model.get(name), size));
          } else if (kind < 78) {
            last = "fsync " + name;
            file(name).getChannel().force(true);
          } else if (kind < 84) {
            String to = NAMES.get(r.nextInt(NAMES.size()));
            if (!model.containsKey(name) || to.equals(name)) {
              continue;
            }
            last = "rename " + name + " to " + to;
            closeFile(name);
            closeFile(to);
            Files.move(mnt.resolve(name), mnt.resolve(to), StandardCopyOption.REPLACE_EXISTING);
            model.put(to, model.remove(name));
          } else if (kind < 89) {
            if (!model.containsKey(name)) {
              continue;
            }
            last = "delete " + name;
            closeFile(name);
            Files.delete(mnt.resolve(name));
            model.remove(name);
          } else if (kind < 95) {
            last = "size " + name;
            if (model.containsKey(name)) {
              assertEquals(model.get(name).length, Files.size(mnt.resolve(name)), last);
            }
          } else {
            last = "close and read whole " + name;
            closeFile(name);
            if (model.containsKey(name)) {
              assertArrayEquals(model.get(name), Files.readAllBytes(mnt.resolve(name)), last);
            }
          }
        }
        for (String name : new ArrayList<>(open.keySet())) {
          closeFile(name);
        }
        for (Map.Entry<String, byte[]> e : model.entrySet()) {
          assertArrayEquals(e.getValue(), Files.readAllBytes(mnt.resolve(e.getKey())), e.getKey());
        }
      } catch (AssertionError | IOException | RuntimeException e) {
        throw new AssertionError(
            "op " + op + " (" + last + ") failed; seed " + seed + " replays it: " + e, e);
      } finally {
        for (RandomAccessFile f : open.values()) {
          f.close();
        }
      }
    }
    System.out.println("FuseRandomOpsTest: " + op + " operations, " + model.size() + " files");
    Mounted.fsck(image);
    Path dump = Files.createDirectory(work.resolve("dump"));
    for (String d : List.of("d0", "d1", "d2")) {
      E2fs.run(List.of(E2fs.tool("debugfs"), "-R", "rdump /" + d + " " + dump, image.toString()));
    }
    for (Map.Entry<String, byte[]> e : model.entrySet()) {
      assertArrayEquals(
          e.getValue(), Files.readAllBytes(dump.resolve(e.getKey())), "debugfs " + e.getKey());
    }
  }

  /** Positional reads until the buffer is full or end of file. */
  private static final class FileChannelReads {
    static void readFully(java.nio.channels.FileChannel ch, ByteBuffer dst, long pos)
        throws IOException {
      while (dst.hasRemaining()) {
        int n = ch.read(dst, pos + dst.position());
        if (n < 0) {
          break;
        }
      }
    }
  }
}
