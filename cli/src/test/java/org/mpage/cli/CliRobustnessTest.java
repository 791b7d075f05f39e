package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * The faults an adversarial run found (issue 11), one test each: every one failed before its fix.
 * Images are made and judged by e2fsprogs; names that are not valid UTF-8 are made through bash,
 * since a Java string cannot carry them to a process.
 */
class CliRobustnessTest {
  @TempDir Path work;

  private static CliTest.Result mpage(String... args) {
    return CliWriteTest.mpage(args);
  }

  /** Runs the command line with standard output a terminal (names shown escaped). */
  private static CliTest.Result onTerminal(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        new Cli(out, new PrintStream(err, true, StandardCharsets.UTF_8), false)
            .stdoutIsTerminal(true)
            .run(args);
    return new CliTest.Result(status, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private static void ok(CliTest.Result r) {
    assertEquals(0, r.status(), r.err());
  }

  private static void bash(String script, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", script, "bash"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + script);
    assertEquals(0, p.exitValue(), script + "\n" + out);
  }

  private static String fsckClean(Path image) throws Exception {
    return CliWriteTest.fsck(image);
  }

  private Path image(String name, String size, String... options) throws Exception {
    return E2fs.mkfs(work.resolve(name), size, null, options);
  }

  // ---- row 1: an image is locked by every writer, whatever the device ----

  @Test
  void row1_ramdiskWriter_locksTheImageAgainstAnyOtherWriter() throws Exception {
    Path img = image("r1.img", "8M");
    Path f = Files.writeString(work.resolve("f"), "file writer\n");
    try (Session ram = Session.open(img, "ramdisk", false, Map.of())) {
      CliTest.Result r = mpage("put", img.toString(), f.toString(), "/F");
      assertEquals(1, r.status(), "a second writer must be refused while the RAM disk copy lives");
      assertEquals(
          "mpage: " + img + ": image in use: another process or device has it open\n", r.err());
      try (var h = ram.fs.openWrite("/R", true, true, 0644)) {
        h.write(0, ByteBuffer.wrap("ram writer\n".getBytes(StandardCharsets.US_ASCII)));
      }
    }
    try (Session file = Session.open(img, "file", false, Map.of())) {
      assertEquals(
          1, mpage("--device", "ramdisk", "put", img.toString(), f.toString(), "/F").status());
    }
    assertEquals("ram writer\n", mpage("cat", img.toString(), "/R").text());
    ok(mpage("--device", "ramdisk", "put", img.toString(), f.toString(), "/F"));
    assertEquals("ram writer\n", mpage("cat", img.toString(), "/R").text(), "nothing lost");
    assertEquals("file writer\n", mpage("cat", img.toString(), "/F").text());
    fsckClean(img);
  }

  // ---- row 2: a replacing put never destroys the original ----

  @Test
  void row2_replacingPutThatRunsOutOfSpace_keepsTheOldFile() throws Exception {
    Path img = image("r2.img", "4M", "-b", "1024");
    byte[] old = new byte[1_000_000];
    new Random(2).nextBytes(old);
    Path oldFile = Files.write(work.resolve("old"), old);
    ok(mpage("put", img.toString(), oldFile.toString(), "/victim"));
    // Larger than the image: without the temporary file, truncating the old one first would lose it
    byte[] bigger = new byte[5_000_000];
    new Random(3).nextBytes(bigger);
    Path big = Files.write(work.resolve("bigger"), bigger);
    CliTest.Result r = mpage("put", img.toString(), big.toString(), "/victim");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("mpage: /victim: "), r.err());
    assertArrayEquals(old, mpage("cat", img.toString(), "/victim").out(), "the old file survives");
    assertEquals("lost+found\nvictim\n", mpage("ls", img.toString(), "/").text(), "no temp left");
    fsckClean(img);
  }

  // ---- row 4: names are bytes ----

  /** Files {@code x\xff} ("raw byte") and {@code x\uFFFD} ("replacement char"), by debugfs. */
  private void twoLookalikeNames(Path img) throws Exception {
    Path a = Files.writeString(work.resolve("a"), "raw byte\n");
    Path b = Files.writeString(work.resolve("b"), "replacement char\n");
    bash(
        "debugfs -w -R \"write $1 $(printf 'x\\xff')\" $3 && debugfs -w -R \"write $2 $(printf"
            + " 'x\\xef\\xbf\\xbd')\" $3",
        a.toString(),
        b.toString(),
        img.toString());
  }

  @Test
  void row4_nameWithByteFF_andNameWithUFFFD_areTwoFiles() throws Exception {
    Path img = image("r4.img", "8M");
    twoLookalikeNames(img);
    String raw = "/x\uDCFF"; // the byte 0xFF, as Main passes it from /proc/self/cmdline
    String fffd = "/x\uFFFD";
    assertEquals("raw byte\n", mpage("cat", img.toString(), raw).text());
    assertEquals("replacement char\n", mpage("cat", img.toString(), fffd).text());
    assertEquals(1, mpage("cat", img.toString(), "/x\uDCFE").status());
    byte[] listing = mpage("ls", img.toString(), "/").out();
    assertArrayEquals(
        concat(
            "lost+found\nx".getBytes(StandardCharsets.US_ASCII),
            new byte[] {(byte) 0xff, '\n', 'x', (byte) 0xef, (byte) 0xbf, (byte) 0xbd, '\n'}),
        listing,
        "ls to a pipe prints the exact bytes");
    ok(mpage("rm", img.toString(), raw));
    assertEquals("replacement char\n", mpage("cat", img.toString(), fffd).text());
    assertEquals(1, mpage("cat", img.toString(), raw).status());
    fsckClean(img);
  }

  @Test
  void row4_argumentsReachTheImageWithTheirExactBytes() throws Exception {
    Path img = image("r4b.img", "8M");
    twoLookalikeNames(img);
    Path out = work.resolve("out");
    // A real process: the JVM decodes the argument x\xff as x\uFFFD; Main must not.
    bash(
        "java -cp \"$1\" org.mpage.cli.Main cat \"$2\" \"$(printf '/x\\xff')\" > \"$3\"",
        System.getProperty("java.class.path"),
        img.toString(),
        out.toString());
    assertEquals("raw byte\n", Files.readString(out));
  }

  // ---- row 5: host names map exactly or are refused, never merged ----

  @Test
  void row5_hostNamesThatAreNotUtf8_areRefusedOneByOne_neverMerged() throws Exception {
    Path img = image("r5.img", "8M");
    Path src = Files.createDirectory(work.resolve("src"));
    bash(
        "cd \"$1\" && printf one > \"$(printf 'x\\xff')\" && printf two > \"$(printf 'x\\xfe')\""
            + " && printf three > caf\u00e9 && printf four > zz",
        src.toString());
    CliTest.Result r = mpage("put", "-r", img.toString(), src.toString(), "/in");
    assertEquals(1, r.status(), r.err());
    assertEquals(2, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("host name cannot be stored exactly"), r.err());
    assertEquals("caf\u00e9\nzz\n", mpage("ls", img.toString(), "/in").text());
    assertEquals("three", mpage("cat", img.toString(), "/in/caf\u00e9").text());
    assertEquals("four", mpage("cat", img.toString(), "/in/zz").text());
    fsckClean(img);
  }

  @Test
  void row5_getOfANameTheHostCannotHold_isOneLine_andTheRestIsCopied() throws Exception {
    Path img = image("r5b.img", "8M");
    Path a = Files.writeString(work.resolve("a"), "raw\n");
    bash(
        "debugfs -w -R \"write $1 $(printf 'x\\xff')\" $2 && debugfs -w -R \"write $1 ok\" $2",
        a.toString(),
        img.toString());
    Path out = work.resolve("out");
    CliTest.Result r = mpage("get", "-r", img.toString(), "/", out.toString());
    assertEquals(1, r.status());
    assertEquals(
        "mpage: /x\\377: name cannot be written exactly in the host's file name encoding"
            + " (UTF-8); skipped\n",
        r.err());
    assertEquals("raw\n", Files.readString(out.resolve("ok")));
  }

  @Test
  void row5_underTheCLocale_aNonAsciiHostNameIsRefused_notStoredChanged() throws Exception {
    Path img = image("r5c.img", "8M");
    Path src = Files.createDirectory(work.resolve("src"));
    Files.writeString(src.resolve("caf\u00e9"), "x");
    Files.writeString(src.resolve("plain"), "y");
    ProcessBuilder p =
        new ProcessBuilder(
                "java",
                "-cp",
                System.getProperty("java.class.path"),
                "org.mpage.cli.Main",
                "put",
                "-r",
                img.toString(),
                src.toString(),
                "/in")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    p.environment().put("LC_ALL", "C");
    Process proc = p.start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, proc.waitFor(), out);
    assertTrue(out.contains("host name cannot be stored exactly"), out);
    assertEquals("plain\n", mpage("ls", img.toString(), "/in").text(), "nothing stored changed");
  }

  // ---- row 6: deep trees ----

  @Test
  void row6_removingATree3000Deep_needsNoStack_andLeavesACleanImage() throws Exception {
    Path img = image("r6.img", "32M", "-b", "1024", "-N", "8000");
    String deep = "/y".repeat(3000);
    ok(mpage("mkdir", "-p", img.toString(), deep));
    // A small stack: the removal must not recurse per level.
    CliTest.Result[] r = new CliTest.Result[1];
    Thread t =
        new Thread(null, () -> r[0] = mpage("rm", "-r", img.toString(), "/y"), "rm", 256 << 10);
    t.start();
    t.join(300_000);
    assertFalse(t.isAlive(), "rm -r hangs");
    assertEquals(0, r[0].status(), r[0].err().lines().findFirst().orElse(""));
    assertEquals("lost+found\n", mpage("ls", img.toString(), "/").text());
    fsckClean(img);
  }

  // ---- row 7: directory loops ----

  @Test
  void row7_directoryLoops_areReportedOnce_andNotFollowed() throws Exception {
    Path img = image("r7.img", "8M", "-b", "1024");
    ok(mpage("mkdir", "-p", img.toString(), "/a/b"));
    Path f = Files.writeString(work.resolve("f"), "in b\n");
    ok(mpage("put", img.toString(), f.toString(), "/a/b/f"));
    ok(mpage("put", img.toString(), f.toString(), "/keep"));
    E2fs.debugfs(img, true, "link /a /a/b/loop");
    E2fs.debugfs(img, true, "link <2> /a/root");
    Path out = work.resolve("out");
    CliTest.Result r = bounded(() -> mpage("get", "-r", img.toString(), "/", out.toString()));
    assertEquals(1, r.status());
    assertTrue(r.err().contains("mpage: /a/b/loop: directory loop"), r.err());
    assertTrue(r.err().contains("mpage: /a/root: directory loop"), r.err());
    assertEquals("in b\n", Files.readString(out.resolve("a/b/f")));
    try (var walk = Files.walk(out)) {
      assertTrue(walk.count() < 10, "no copies through the loops");
    }
    r = mpage("rm", "-r", img.toString(), "/a");
    assertEquals(1, r.status());
    assertEquals("in b\n", mpage("cat", img.toString(), "/keep").text(), "root's files survive");
  }

  @Test
  void row7_twoNamesOfOneDirectoryInOneParent_areRemovedThroughOneOnly() throws Exception {
    Path img = image("r7b.img", "8M", "-b", "1024");
    ok(mpage("mkdir", "-p", img.toString(), "/a/d"));
    Path f = Files.writeString(work.resolve("f"), "x");
    ok(mpage("put", img.toString(), f.toString(), "/a/d/f"));
    E2fs.debugfs(img, true, "link /a/d /a/d2"); // both names' '..' is /a: only a visited set tells
    CliTest.Result r = bounded(() -> mpage("rm", "-r", img.toString(), "/a"));
    assertEquals(1, r.status());
    assertTrue(r.err().contains("directory loop: the same directory as /a/d"), r.err());
  }

  /** Runs a command with a time limit: a walk that follows a loop must fail, not run forever. */
  private static CliTest.Result bounded(java.util.function.Supplier<CliTest.Result> command)
      throws Exception {
    java.util.concurrent.ExecutorService one =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "bounded");
              t.setDaemon(true);
              return t;
            });
    try {
      return one.submit(command::get).get(60, TimeUnit.SECONDS);
    } finally {
      one.shutdownNow();
    }
  }

  // ---- row 8: holes stay holes; a full host ends the copy cleanly ----

  @Test
  void row8_getOfA2000GiBSparseFile_writesHolesAsHoles() throws Exception {
    Path img = work.resolve("r8.img");
    ok(mpage("mkfs", img.toString(), "64M"));
    writeAt(img, "/sp", "head", "0");
    writeAt(img, "/sp", "middle", "1T");
    // 2 TiB itself is just past ext2's largest file with 4 KiB blocks (ext2_max_size)
    ok(mpage("truncate", img.toString(), "/sp", "2000G"));
    Path out = work.resolve("sp.out");
    ok(mpage("get", img.toString(), "/sp", out.toString()));
    assertEquals(2000L << 30, Files.size(out));
    long allocated = blocksOf(out);
    assertTrue(allocated < 1024, "host blocks of 512 bytes allocated: " + allocated);
    try (FileChannel ch = FileChannel.open(out, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(6);
      ch.read(b, 1L << 40);
      assertEquals("middle", new String(b.array(), StandardCharsets.US_ASCII));
      b.clear().limit(4);
      ch.read(b, 0);
      assertEquals("head", new String(b.array(), 0, 4, StandardCharsets.US_ASCII));
    }
    fsckClean(img);
  }

  @Test
  void row8_aFullHost_endsTheCopyWithOneLine() throws Exception {
    Path img = image("r8b.img", "8M");
    Path f = Files.write(work.resolve("f"), new byte[100_000]);
    ok(mpage("put", img.toString(), f.toString(), "/f"));
    CliTest.Result r = mpage("get", img.toString(), "/f", "/dev/full");
    assertEquals(1, r.status());
    assertEquals("mpage: /dev/full: No space left on device\n", r.err());
  }

  @Test
  void row8_getToAPipe_writesEveryByte_zerosOfTheHolesIncluded() throws Exception {
    Path img = work.resolve("r8c.img");
    ok(mpage("mkfs", img.toString(), "16M"));
    writeAt(img, "/sp", "mid", "100000");
    ok(mpage("truncate", img.toString(), "/sp", "300000"));
    Path fifo = work.resolve("fifo");
    Path copy = work.resolve("copy");
    bash("mkfifo \"$1\"", fifo.toString());
    Process reader =
        new ProcessBuilder(
                "bash", "-c", "cat \"$1\" > \"$2\"", "bash", fifo.toString(), copy.toString())
            .start();
    CliTest.Result r = bounded(() -> mpage("get", img.toString(), "/sp", fifo.toString()));
    assertTrue(reader.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, r.status(), r.err());
    byte[] want = new byte[300000];
    System.arraycopy("mid".getBytes(StandardCharsets.US_ASCII), 0, want, 100000, 3);
    assertArrayEquals(want, Files.readAllBytes(copy));
  }

  /** {@code ./mpage write IMG PATH --offset OFFSET} with {@code text} on standard input. */
  private static void writeAt(Path img, String path, String text, String offset) {
    ok(
        CliWriteTest.mpageIn(
            text.getBytes(StandardCharsets.US_ASCII),
            "write",
            img.toString(),
            path,
            "--offset",
            offset));
  }

  private static long blocksOf(Path p) throws Exception {
    Process proc = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    proc.waitFor();
    return Long.parseLong(out.trim());
  }

  // ---- row 11: names escaped on a terminal and in messages ----

  @Test
  void row11_controlCharactersInNames_areEscaped_onATerminalAndInMessages() throws Exception {
    Path img = image("r11.img", "8M");
    Path a = Files.writeString(work.resolve("a"), "x");
    bash(
        "debugfs -w -R \"write $1 $(printf 'e\\x1b]0;pwned\\x07')\" $2 && debugfs -w -R \"write"
            + " $1 $(printf 'nl\\nx')\" $2",
        a.toString(),
        img.toString());
    CliTest.Result r = onTerminal("ls", img.toString(), "/");
    assertEquals("lost+found\ne\\033]0;pwned\\a\nnl\\nx\n", r.text());
    r = onTerminal("ls", "-l", img.toString(), "/");
    assertFalse(r.text().contains("\u001b"), r.text());
    r = mpage("cat", img.toString(), "/nope\u001b[2J");
    assertEquals("mpage: /nope\\033[2J: no such file or directory\n", r.err());
    assertArrayEquals(
        "lost+found\ne\u001b]0;pwned\u0007\nnl\nx\n".getBytes(StandardCharsets.UTF_8),
        mpage("ls", img.toString(), "/").out(),
        "a pipe gets the names as they are");
  }

  // ---- rows 12 and 13: a bad entry is reported, the rest copied ----

  @Test
  void row12_anEntryWithASlash_isReported_andLaterEntriesAreStillCopied() throws Exception {
    Path img = image("r12.img", "8M", "-b", "1024");
    Path a = Files.writeString(work.resolve("a"), "x");
    E2fs.debugfs(img, true, "write " + a + " aQb");
    E2fs.debugfs(img, true, "write " + a + " zlater");
    patchName(img, "aQb", "a/b");
    Path out = work.resolve("out");
    CliTest.Result r = mpage("get", "-r", img.toString(), "/", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("mpage: /a/b: name holds a '/'"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals("x", Files.readString(out.resolve("zlater")));
  }

  @Test
  void row13_aSymlinkNamedLikeADirectory_isNotASecondCopyOfIt() throws Exception {
    Path img = image("r13.img", "8M", "-b", "1024");
    ok(mpage("mkdir", img.toString(), "/dupA"));
    ok(mpage("ln", "-s", img.toString(), "target", "/dupB"));
    Path a = Files.writeString(work.resolve("a"), "x");
    ok(mpage("put", img.toString(), a.toString(), "/dupA/inside"));
    patchName(img, "dupB", "dupA");
    Path out = work.resolve("out");
    CliTest.Result r = mpage("get", "-r", img.toString(), "/", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("mpage: /dupA: a second entry of this name"), r.err());
    assertTrue(Files.isDirectory(out.resolve("dupA")));
    assertEquals("x", Files.readString(out.resolve("dupA/inside")));
  }

  @Test
  void row13_aSymlinkNamedLikeAFile_andTwoEntriesOfOneInode_areCopiedOnce() throws Exception {
    Path img = image("r13b.img", "8M", "-b", "1024");
    Path a = Files.writeString(work.resolve("a"), "file\n");
    ok(mpage("put", img.toString(), a.toString(), "/dupA"));
    ok(mpage("ln", "-s", img.toString(), "target", "/dupB"));
    ok(mpage("put", img.toString(), a.toString(), "/sameX"));
    ok(mpage("ln", img.toString(), "/sameX", "/sameY"));
    patchName(img, "dupB", "dupA");
    patchName(img, "sameY", "sameX");
    Path out = work.resolve("out");
    CliTest.Result r = mpage("get", "-r", img.toString(), "/", out.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("mpage: /dupA: a second entry of this name"), r.err());
    assertTrue(r.err().contains("mpage: /sameX: a second entry of this name"), r.err());
    assertEquals(2, r.err().lines().count(), r.err());
    // whichever entry comes first on disk is copied (put renames into place, so here the symlink)
    assertTrue(Files.exists(out.resolve("dupA"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("file\n", Files.readString(out.resolve("sameX")));
  }

  /**
   * Rewrites a name in the image's directory blocks (same length): corruption debugfs can't make.
   */
  private static void patchName(Path img, String from, String to) throws IOException {
    byte[] all = Files.readAllBytes(img);
    byte[] f = from.getBytes(StandardCharsets.US_ASCII);
    int hits = 0;
    for (int i = 0; i + f.length <= all.length; i++) {
      if (Arrays.equals(all, i, i + f.length, f, 0, f.length) && all[i - 2] == f.length) {
        System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, all, i, f.length);
        hits++;
      }
    }
    assertEquals(1, hits, "entries named " + from);
    Files.write(img, all);
  }

  // ---- row 14: a closed pipe ends quietly; errors name the image once ----

  @Test
  void row14_aClosedPipe_endsQuietly() throws Exception {
    Path img = image("r14.img", "8M");
    Path f = Files.write(work.resolve("f"), new byte[3_000_000]);
    ok(mpage("put", img.toString(), f.toString(), "/f"));
    OutputStream closed =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            throw new IOException("Broken pipe");
          }
        };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        new Cli(closed, new PrintStream(err, true, StandardCharsets.UTF_8), false)
            .run(new String[] {"cat", img.toString(), "/f"});
    assertEquals(141, status);
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
