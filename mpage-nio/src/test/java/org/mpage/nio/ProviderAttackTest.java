package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial cases found by attacking the provider: each failed before its fix. Where the JDK's
 * default filesystem has an answer, the test asks the host temp directory for it and compares.
 */
class ProviderAttackTest {
  @TempDir Path work;

  private FileSystem image() throws Exception {
    return Images.open(Images.mkfs(work.resolve("disk.img"), "32M", null));
  }

  private void fsckClean() throws Exception {
    Images.fsck(work.resolve("disk.img"));
  }

  /**
   * A file deleted (or replaced by a move) while a channel is open on it lives on until the channel
   * closes, as on Linux: writes through the channel went to an inode already freed, so its blocks
   * leaked (and the inode number could be handed to a new file while still in use).
   */
  @Test
  void writingToADeletedOpenFileLeavesTheImageConsistent() throws Exception {
    byte[] data = new byte[5000];
    java.util.Arrays.fill(data, (byte) 7);
    try (FileSystem fs = image()) {
      Path f = fs.getPath("/f");
      Path g = fs.getPath("/g");
      Files.write(f, new byte[10000]);
      try (FileChannel ch =
          FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        Files.delete(f);
        Files.write(g, new byte[30000]); // may reuse f's inode number if f was freed
        ch.write(ByteBuffer.wrap(data), 20000);
        ByteBuffer back = ByteBuffer.allocate(5000);
        ch.read(back, 20000);
        assertArrayEquals(data, back.array());
        assertEquals(25000, ch.size());
      }
      Files.write(f, new byte[10000]);
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        Files.move(g, f, StandardCopyOption.REPLACE_EXISTING);
        ch.write(ByteBuffer.wrap(data), 40000);
      }
      assertEquals(30000, Files.size(f));
    }
    fsckClean();
  }

  /**
   * Threads writing, reading, truncating, copying, renaming over and deleting the same few files,
   * then the filesystem closed under them: each thread ends with ClosedFileSystemException or
   * ClosedChannelException, nothing hangs, and e2fsck finds nothing. Seeded; the seed is printed.
   */
  @Test
  void concurrentChangesAndACloseLeaveTheImageConsistent() throws Exception {
    long seed = Long.getLong("mpage.seed", System.nanoTime());
    System.out.println("ProviderAttackTest seed " + seed);
    FileSystem fs = image();
    Files.createDirectories(fs.getPath("/d"));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
    for (int t = 0; t < 4; t++) {
      java.util.Random r = new java.util.Random(seed + t);
      done.add(pool.submit(() -> churn(fs, r)));
    }
    Thread.sleep(2000);
    assertTimeoutPreemptively(Duration.ofSeconds(30), fs::close);
    try {
      for (java.util.concurrent.Future<Integer> f : done) {
        assertTrue(f.get(30, java.util.concurrent.TimeUnit.SECONDS) > 0);
      }
    } finally {
      pool.shutdownNow();
    }
    fsckClean();
  }

  private static int churn(FileSystem fs, java.util.Random r) throws Exception {
    int ops = 0;
    try {
      while (true) {
        Path p = fs.getPath("/d/f" + r.nextInt(4));
        Path q = fs.getPath("/d/f" + r.nextInt(4));
        try {
          switch (r.nextInt(6)) {
            case 0 -> {
              try (FileChannel c =
                  FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                c.write(ByteBuffer.allocate(r.nextInt(20000)), r.nextInt(100000));
              }
            }
            case 1 -> {
              try (FileChannel c = FileChannel.open(p)) {
                c.transferTo(
                    0,
                    1 << 20,
                    java.nio.channels.Channels.newChannel(java.io.OutputStream.nullOutputStream()));
              }
            }
            case 2 -> Files.move(p, q, StandardCopyOption.REPLACE_EXISTING);
            case 3 -> Files.deleteIfExists(p);
            case 4 -> Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
            default -> {
              try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                c.truncate(r.nextInt(50000));
              }
            }
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // another thread deleted or moved it
        }
        ops++;
      }
    } catch (java.nio.file.ClosedFileSystemException | java.nio.channels.ClosedChannelException e) {
      return ops + 1;
    }
  }

  /**
   * transferTo into a channel on the same file hung for ever: the page cache's splice held the
   * page's lock while the target's write waited for it. The JDK appends the bytes.
   */
  @Test
  void transferToTheSameFileDoesNotDeadlock() throws Exception {
    try (FileSystem fs = image()) {
      Path f = fs.getPath("/f");
      byte[] data = new byte[100];
      new java.util.Random(1).nextBytes(data);
      Files.write(f, data);
      assertTimeoutPreemptively(
          Duration.ofSeconds(20),
          () -> {
            try (FileChannel c =
                FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
              c.position(100);
              assertEquals(100, c.transferTo(0, 100, c));
              assertEquals(200, c.size());
            }
            try (FileChannel in = FileChannel.open(f);
                FileChannel out = FileChannel.open(f, StandardOpenOption.WRITE)) {
              out.position(200);
              assertEquals(200, in.transferTo(0, 1000, out));
            }
          });
      byte[] all = Files.readAllBytes(f);
      assertEquals(400, all.length);
      for (int i = 0; i < 400; i++) {
        assertEquals(data[i % 100], all[i], "byte " + i);
      }
    }
    fsckClean();
  }

  /**
   * A target that refuses the bytes (a read-only JDK channel) was reported as a corrupt image; the
   * JDK throws the target's own exception. A read-only buffer likewise.
   */
  @Test
  void aRefusingTargetOrBufferIsNotCorruption() throws Exception {
    Path host = Files.write(work.resolve("host"), new byte[10]);
    try (FileSystem fs = image()) {
      Path f = Files.write(fs.getPath("/f"), new byte[100]);
      for (Path p : new Path[] {host, f}) {
        try (FileChannel c = FileChannel.open(p);
            FileChannel target = FileChannel.open(host)) {
          assertThrows(
              java.nio.channels.NonWritableChannelException.class,
              () -> c.transferTo(0, 10, target));
          assertThrows(
              IllegalArgumentException.class,
              () -> c.read(ByteBuffer.allocate(5).asReadOnlyBuffer()));
          assertThrows(
              IllegalArgumentException.class,
              () -> c.read(ByteBuffer.allocate(5).asReadOnlyBuffer(), 0));
        }
      }
    }
  }

  /**
   * {@code setAttribute(p, "posix:permissions", Set.of("rwx"))} set the mode to 000 without a word;
   * the JDK throws ClassCastException and leaves the file alone.
   */
  @Test
  void permissionsOfTheWrongTypeAreRefused() throws Exception {
    Path host = Files.write(work.resolve("host"), new byte[1]);
    try (FileSystem fs = image()) {
      Path f = Files.write(fs.getPath("/f"), new byte[1]);
      for (Path p : new Path[] {host, f}) {
        Object before = Files.getPosixFilePermissions(p);
        assertThrows(
            ClassCastException.class,
            () -> Files.setAttribute(p, "posix:permissions", java.util.Set.of("rwx")));
        assertEquals(before, Files.getPosixFilePermissions(p));
      }
    }
  }
}
