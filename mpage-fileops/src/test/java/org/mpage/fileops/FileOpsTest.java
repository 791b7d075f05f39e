package org.mpage.fileops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
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
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileType;
import org.mpage.fs.ext2.E2fs;

/**
 * The file-operations layer on a real mke2fs image (file device, engine, ext2), judged by debugfs
 * and e2fsck: the text it prints, the copies both ways, removal, and what it reports.
 */
class FileOpsTest {
  @TempDir Path work;
  Path tree;
  Path image;
  byte[] big;

  /** What the layer reported, line by line, and the progress it drew. */
  final List<String> reported = new ArrayList<>();

  final List<String> progress = new ArrayList<>();

  final Reporter reporter =
      new Reporter() {
        @Override
        public void failed(String path, String reason) {
          reported.add("failed " + path + ": " + reason);
        }

        @Override
        public void skipped(String path, String what) {
          reported.add("skipped " + path + ": " + what);
        }
      };

  final Progress.Factory bars =
      (label, total) ->
          new Progress() {
            long last = -1;

            @Override
            public void update(long done) {
              assertTrue(done > last && done <= total, label + ": " + done + " of " + total);
              last = done;
            }

            @Override
            public void finish() {
              progress.add(label + " " + last + "/" + total);
            }
          };

  @BeforeEach
  void makeImage() throws Exception {
    tree = Files.createDirectory(work.resolve("tree"));
    big = new byte[1 << 20];
    new Random(5).nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    Files.writeString(tree.resolve("hello.txt"), "hello, world\n");
    Files.createDirectories(tree.resolve("dir/sub"));
    Files.writeString(tree.resolve("dir/sub/x"), "x");
    Files.createSymbolicLink(tree.resolve("dir/link"), Path.of("../hello.txt"));
    try (FileChannel ch =
        FileChannel.open(
            tree.resolve("sparse"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 5_000_000);
    }
    image = E2fs.mkfs(work.resolve("fs.img"), "16M", tree, "-b", "1024");
  }

  private static String text(ByteArrayOutputStream b) {
    return b.toString(StandardCharsets.UTF_8);
  }

  private static PrintStream print(ByteArrayOutputStream b) {
    return new PrintStream(b, true, StandardCharsets.UTF_8);
  }

  private void fsck() throws Exception {
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
  }

  @Test
  void list_namesAndLongFormat() throws Exception {
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ByteArrayOutputStream names = new ByteArrayOutputStream();
      ops.list("/", false, print(names), false);
      assertEquals(
          new HashSet<>(E2fs.debugfsNames(image, "/")),
          new HashSet<>(List.of(text(names).split("\n"))));
      ByteArrayOutputStream longList = new ByteArrayOutputStream();
      ops.list("/dir", true, print(longList), false);
      String l = text(longList);
      assertTrue(
          l.matches("(?s).*lrwxrwxrwx +1 +\\d+ +\\d+ +12 [-0-9]+ [:0-9]+ link -> ../hello.txt\n.*"),
          l);
      assertTrue(l.contains("drwxr-xr-x"), l);
    }
    assertEquals(List.of(), reported);
  }

  @Test
  void list_sizesStyle_andStatSummary_theShellsShortForms() throws Exception {
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ByteArrayOutputStream sizes = new ByteArrayOutputStream();
      ops.list("/dir", FileOps.Listing.SIZES, print(sizes), false);
      assertEquals(
          Set.of("l         12 link", "d       1024 sub"), Set.of(text(sizes).split("\n")));
      ByteArrayOutputStream one = new ByteArrayOutputStream();
      ops.list("/hello.txt", FileOps.Listing.SIZES, print(one), false);
      assertEquals("-         13 hello.txt\n", text(one));

      ByteArrayOutputStream st = new ByteArrayOutputStream();
      ops.statSummary("/hello.txt", print(st));
      String[] lines = text(st).split("\n", -1);
      assertEquals(10, lines.length, text(st));
      assertEquals("path:   /hello.txt", lines[0]);
      assertEquals("type:   REGULAR", lines[2]);
      assertEquals("mode:   0644", lines[3]);
      assertEquals("size:   13", lines[6]);
      assertTrue(
          lines[8].matches("mtime:  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"), lines[8]);
    }
    assertEquals(List.of(), reported);
  }

  @Test
  void list_escapesNamesOnlyWhenAsked() throws Exception {
    try (Mounted m = Mounted.mount(image, false)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ops.write("/a\tb", 0, new ByteArrayInputStream(new byte[] {1}));
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      ops.list("/a\tb", false, print(raw), false);
      assertEquals("a\tb\n", text(raw));
      ByteArrayOutputStream escaped = new ByteArrayOutputStream();
      ops.list("/a\tb", false, print(escaped), true);
      assertEquals("a\\tb\n", text(escaped));
    }
  }

  @Test
  void stat_andInfo_text() throws Exception {
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ops.stat("/hello.txt", print(out));
      String[] lines = text(out).split("\n", -1);
      assertEquals(8, lines.length, text(out));
      assertEquals("  File: /hello.txt", lines[0]);
      assertEquals("  Size: 13\tBlocks: 2\tregular file", lines[1]);
      assertTrue(lines[2].matches(" Inode: \\d+\tLinks: 1"), lines[2]);
      assertTrue(lines[3].matches("Access: \\(0644/-rw-r--r--\\)\tUid: \\d+\tGid: \\d+"), lines[3]);
      assertTrue(
          lines[6].matches("Change: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"), lines[6]);
      assertEquals("", lines[7]);

      ByteArrayOutputStream link = new ByteArrayOutputStream();
      ops.stat("/dir/link", print(link));
      assertTrue(text(link).startsWith("  File: /dir/link -> ../hello.txt\n"), text(link));
      assertTrue(text(link).contains("\tsymbolic link\n"), text(link));

      ByteArrayOutputStream info = new ByteArrayOutputStream();
      ops.info(print(info));
      assertTrue(text(info).startsWith("Filesystem type:   ext2\n"), text(info));
      assertTrue(text(info).contains("\nBlock size:        1024\n"), text(info));
      assertTrue(text(info).endsWith("\nMounted read-only: yes\n"), text(info));
    }
  }

  @Test
  void cat_splicesTheBytes_andNamesAFailingSink() throws Exception {
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(big.length, ops.cat("/big.bin", out, "output"));
      assertArrayEquals(big, out.toByteArray());
      assertEquals(List.of("cat /big.bin " + big.length + "/" + big.length), progress);

      OutputStream full =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              throw new IOException("No space left on device");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              write(0);
            }
          };
      PathException e = assertThrows(PathException.class, () -> ops.cat("/big.bin", full, "out"));
      assertEquals("mpage: out: No space left on device", Errors.line(e));

      OutputStream gone =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              throw new IOException("Broken pipe");
            }
          };
      IOException pipe = assertThrows(IOException.class, () -> ops.cat("/hello.txt", gone, "out"));
      assertTrue(pipe instanceof BrokenPipeException, pipe.toString());
      assertEquals(Errors.BROKEN_PIPE, Errors.exitStatus(pipe));

      PathException missing =
          assertThrows(PathException.class, () -> ops.cat("/no/such", out, "out"));
      assertEquals("mpage: /no/such: no such file or directory", Errors.line(missing));
      assertEquals(Errors.FAILURE, Errors.exitStatus(missing));
    }
  }

  @Test
  void getRecursive_copiesTheTree_keepingSymlinksAndHoles() throws Exception {
    Path out = work.resolve("out");
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      PathException noR =
          assertThrows(PathException.class, () -> ops.get("/dir", work.resolve("x"), false));
      assertEquals("mpage: /dir: is a directory (use get -r)", Errors.line(noR));
      ops.get("/", out, true);
    }
    assertEquals(List.of(), reported);
    assertArrayEquals(big, Files.readAllBytes(out.resolve("big.bin")));
    assertEquals("x", Files.readString(out.resolve("dir/sub/x")));
    assertEquals(Path.of("../hello.txt"), Files.readSymbolicLink(out.resolve("dir/link")));
    assertArrayEquals(
        Files.readAllBytes(tree.resolve("sparse")), Files.readAllBytes(out.resolve("sparse")));
    assertTrue(
        progress.contains("get /big.bin " + big.length + "/" + big.length), progress.toString());
  }

  @Test
  void putRecursive_copiesIn_replacingFiles_andAFifo() throws Exception {
    Path host = work.resolve("host");
    Files.createDirectories(host.resolve("e"));
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Files.write(host.resolve("data"), data);
    Files.writeString(host.resolve("e/f"), "f");
    Files.createSymbolicLink(host.resolve("l"), Path.of("data"));
    E2fs.run(List.of("mkfifo", host.resolve("fifo").toString()));
    try (Mounted m = Mounted.mount(image, false)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      PathException noR = assertThrows(PathException.class, () -> ops.put(host, "/in", false));
      assertEquals("is a directory (use put -r)", noR.reason());
      ops.mkdir("/in", false);
      ops.put(host, "/in", true); // into the existing directory, as cp -r
      ops.put(host.resolve("data"), "/hello.txt", false); // replaces the file
      m.fs.sync();
    }
    assertEquals(List.of(), reported);
    fsck();
    assertEquals(
        Set.of("data", "e", "l", "fifo"), new HashSet<>(E2fs.debugfsNames(image, "/in/host")));
    String fifo = E2fs.debugfs(image, false, "stat /in/host/fifo");
    assertTrue(fifo.contains("Type: FIFO"), fifo);
    try (Mounted m = Mounted.mount(image, true)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ops.cat("/hello.txt", out, "out");
      assertArrayEquals(data, out.toByteArray());
      assertEquals("data", m.fs.readLink("/in/host/l"));
      for (String name : E2fs.debugfsNames(image, "/")) {
        assertFalse(name.startsWith(".mpage-put-"), "temporary file left: " + name);
      }
    }
  }

  @Test
  void removeRecursive_removesTheTree() throws Exception {
    try (Mounted m = Mounted.mount(image, false)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      PathException noR = assertThrows(PathException.class, () -> ops.remove("/dir", false));
      assertEquals("mpage: /dir: is a directory (use rm -r)", Errors.line(noR));
      ops.remove("/dir", true);
      ops.remove("/hello.txt", false);
      assertFalse(ops.isDirectory("/dir"));
      m.fs.sync();
    }
    assertEquals(List.of(), reported);
    fsck();
    assertEquals(
        Set.of("big.bin", "sparse", "lost+found"), new HashSet<>(E2fs.debugfsNames(image, "/")));
  }

  @Test
  void mkdirParents_moveLinkTruncateWrite() throws Exception {
    try (Mounted m = Mounted.mount(image, false)) {
      FileOps ops = new FileOps(m.fs, reporter, bars);
      ops.mkdir("/a/b/c", true);
      ops.mkdir("/a/b/c", true); // no error when it exists
      PathException exists = assertThrows(PathException.class, () -> ops.mkdir("/a", false));
      assertEquals("mpage: /a: file exists", Errors.line(exists));
      ops.move("/hello.txt", "/a/b"); // into the directory
      ops.link("/a/b/hello.txt", "/hard", false);
      ops.link("a/b/hello.txt", "/soft", true);
      assertEquals(
          5,
          ops.write(
              "/hard", 7, new ByteArrayInputStream("earth".getBytes(StandardCharsets.UTF_8))));
      ops.truncate("/hard", 12);
      assertEquals(FileType.DIRECTORY, m.fs.stat("/a/b/c").type());
      assertEquals(2, m.fs.stat("/a/b/hello.txt").links());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ops.cat("/soft", out, "out");
      assertEquals("hello, earth", text(out));
      m.fs.sync();
    }
    fsck();
  }

  @Test
  void errors_lineEscapesAndNamesTheFileOnce() {
    assertEquals(
        "mpage: /a\\nb: no such file or directory",
        Errors.line("/a\nb", "no such file or directory"));
    assertEquals(
        "mpage: /f: corrupt filesystem: bad block",
        Errors.line(
            assertThrows(
                PathException.class,
                () ->
                    Errors.guarded(
                        "/f",
                        () -> {
                          throw new org.mpage.api.fs.CorruptFilesystemException(
                              "/f: bad block", -1, -1);
                        }))));
    assertEquals("mpage: plain failure", Errors.line(new IOException("plain failure")));
    assertEquals("plain failure", Errors.message(new IOException("plain failure")));
    assertEquals(
        "/a\\tb: file exists", Errors.message(new PathException("/a\tb", "file exists", null)));
    assertEquals(
        "directory not empty", Errors.reason(new java.nio.file.DirectoryNotEmptyException("/d")));
    assertTrue(Errors.isFatal(new PathException("/x", "no free blocks", null)));
    assertFalse(Errors.isFatal(new PathException("/x", "file exists", null)));
  }
}
