package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * {@code mpage mount}: a corrupt image is one clear line and status 1 before anything is mounted; a
 * mount in the foreground ends cleanly by {@code fusermount -u} (status 0) or by SIGTERM, with the
 * data synced and the image e2fsck-clean either way; {@code -o ro} refuses writes with EROFS.
 */
class CliMountTest {
  @TempDir Path work;
  Path image;
  Path mnt;

  @BeforeEach
  void image() throws Exception {
    image = E2fs.mkfs(work.resolve("fs.img"), "16M", null, "-b", "1024");
    mnt = Files.createDirectory(work.resolve("mnt"));
  }

  @AfterEach
  void neverLeaveAMount() throws Exception {
    if (mounted()) {
      new ProcessBuilder("fusermount", "-u", "-z", mnt.toString()).start().waitFor();
    }
  }

  private boolean mounted() throws IOException {
    return Files.readString(Path.of("/proc/self/mounts")).contains(" " + mnt + " ");
  }

  private void awaitMounted(Future<?> orProcess) throws Exception {
    for (int i = 0; i < 600 && !mounted(); i++) {
      assertFalse(orProcess.isDone(), "mount ended before mounting");
      Thread.sleep(50);
    }
    assertTrue(mounted(), "not mounted after 30 s");
  }

  record Result(int status, String err) {}

  private static Result mpage(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        new Cli(
                ByteArrayOutputStream.nullOutputStream(),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false)
            .run(args);
    return new Result(status, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void corruptImage_isOneClearLine() throws Exception {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x34, 0x12}), 1024 + 56);
    }
    Result r = mpage("mount", image.toString(), mnt.toString());
    assertEquals(1, r.status());
    assertEquals(
        "mpage: "
            + image
            + ": corrupt filesystem: not an ext2 filesystem: bad magic number 0x1234 (block 1)\n",
        r.err());
    assertFalse(mounted());
  }

  @Test
  void usageAndMissingDirectory() {
    assertEquals(2, mpage("mount", image.toString()).status());
    assertEquals(2, mpage("mount", "-o", "sync", image.toString(), mnt.toString()).status());
    Result r = mpage("mount", image.toString(), work.resolve("nodir").toString());
    assertEquals(1, r.status());
    assertEquals("mpage: " + work.resolve("nodir") + ": no such file or directory\n", r.err());
    assertTrue(Usage.help("mount").startsWith("usage: mpage mount [-o ro] IMAGE DIR\n"));
  }

  @Test
  void fusermountEndsTheMount_dataSynced() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse: FUSE tests skipped");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Result> run = pool.submit(() -> mpage("mount", image.toString(), mnt.toString()));
      awaitMounted(run);
      Files.writeString(mnt.resolve("hello"), "hello through FUSE\n");
      Files.createDirectories(mnt.resolve("a/b"));
      E2fs.run(List.of("fusermount", "-u", mnt.toString()));
      Result r = run.get(60, TimeUnit.SECONDS);
      assertEquals(0, r.status(), r.err());
      assertTrue(r.err().contains(" mounted on " + mnt), r.err());
    } finally {
      pool.shutdownNow();
    }
    assertFalse(mounted());
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(E2fs.debugfs(image, false, "cat /hello").endsWith("\nhello through FUSE\n"));
  }

  @Test
  void sigtermEndsTheMount_dataSynced() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse: FUSE tests skipped");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.mpage.cli.Main",
                "mount",
                image.toString(),
                mnt.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("mount.log").toFile())
            .start();
    try {
      awaitMounted(p.onExit());
      Files.write(mnt.resolve("big"), new byte[3 << 20]);
      Files.writeString(mnt.resolve("small"), "synced at SIGTERM\n");
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mount still running after SIGTERM");
    } finally {
      p.destroyForcibly();
    }
    assertFalse(mounted(), Files.readString(work.resolve("mount.log")));
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(E2fs.debugfs(image, false, "cat /small").endsWith("\nsynced at SIGTERM\n"));
    assertTrue(E2fs.debugfs(image, false, "stat /big").contains("Size: 3145728"));
  }

  @Test
  void readOnlyMount_refusesWrites() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse: FUSE tests skipped");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Result> run =
          pool.submit(() -> mpage("mount", "-o", "ro", image.toString(), mnt.toString()));
      awaitMounted(run);
      IOException e =
          assertThrows(IOException.class, () -> Files.writeString(mnt.resolve("x"), "no"));
      assertTrue(String.valueOf(e.getMessage()).contains("Read-only file system"), e.toString());
      assertTrue(Files.exists(mnt.resolve("lost+found")));
      E2fs.run(List.of("fusermount", "-u", mnt.toString()));
      assertEquals(0, run.get(60, TimeUnit.SECONDS).status());
    } finally {
      pool.shutdownNow();
    }
  }
}
