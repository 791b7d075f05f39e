package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * IMAGE as an NBD URI: the commands run on an export of qemu-nbd on a Unix socket (started here,
 * stopped after; skipped where qemu-utils is not installed), and a refused connection or an unknown
 * export is one error line.
 */
class CliNbdTest {
  @TempDir Path work;

  /** qemu-nbd serving {@code image} as export {@code disk} until closed. */
  private static final class QemuNbd implements AutoCloseable {
    final Process process;
    final String uri;

    QemuNbd(Path image, Path sock) throws IOException, InterruptedException {
      Path tool = Path.of("/usr/bin/qemu-nbd");
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":", -1)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "qemu-nbd"))) {
          tool = Path.of(dir, "qemu-nbd");
        }
      }
      assumeTrue(Files.isExecutable(tool), "qemu-nbd is not installed (qemu-utils): skipped");
      process =
          new ProcessBuilder(
                  tool.toString(),
                  "-f",
                  "raw",
                  "-k",
                  sock.toString(),
                  "-t",
                  "-x",
                  "disk",
                  image.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      uri = "nbd+unix:///disk?socket=" + sock;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(sock));
          break;
        } catch (IOException e) {
          if (System.nanoTime() > until || !process.isAlive()) {
            close();
            throw new IOException("qemu-nbd did not start", e);
          }
          Thread.sleep(20);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private Path image() throws Exception {
    Path tree = Files.createDirectories(work.resolve("tree/dir"));
    Files.writeString(tree.resolve("hello.txt"), "hello over nbd\n");
    return E2fs.mkfs(work.resolve("nbd.img"), "16M", work.resolve("tree"), "-b", "1024");
  }

  @Test
  void lsCatAndPut_onAnNbdUnixUri() throws Exception {
    Path image = image();
    Path local = work.resolve("local.txt");
    Files.writeString(local, "put through nbd\n");
    try (QemuNbd server = new QemuNbd(image, work.resolve("s.sock"))) {
      CliTest.Result ls = CliTest.mpage("ls", server.uri, "/");
      assertEquals(0, ls.status(), ls.err());
      assertEquals(
          new HashSet<>(E2fs.debugfsNames(image, "/")),
          new HashSet<>(List.of(ls.text().split("\n", -1)))
              .stream().filter(s -> !s.isEmpty()).collect(java.util.stream.Collectors.toSet()));
      CliTest.Result cat = CliTest.mpage("cat", server.uri, "/dir/hello.txt");
      assertEquals(0, cat.status(), cat.err());
      assertEquals("hello over nbd\n", cat.text());
      CliTest.Result put = CliTest.mpage("put", server.uri, local.toString(), "/dir/put.txt");
      assertEquals(0, put.status(), put.err());
    }
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(
        E2fs.debugfs(image, false, "cat /dir/put.txt").endsWith("put through nbd\n"),
        "debugfs reads the file put through NBD");
  }

  @Test
  void mkfs_formatsTheExport() throws Exception {
    Path image = work.resolve("blank.img");
    try (var ch =
        java.nio.channels.FileChannel.open(
            image,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(16 << 20);
      ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (16 << 20) - 1);
    }
    try (QemuNbd server = new QemuNbd(image, work.resolve("m.sock"))) {
      CliTest.Result mkfs = CliTest.mpage("mkfs", server.uri, "8M");
      assertEquals(0, mkfs.status(), mkfs.err());
      CliTest.Result ls = CliTest.mpage("ls", server.uri, "/");
      assertEquals("lost+found\n", ls.text(), ls.err());
      CliTest.Result tooBig = CliTest.mpage("mkfs", server.uri, "32M");
      assertEquals(1, tooBig.status());
      assertEquals(
          "mpage: " + server.uri + ": the export holds 16777216 bytes, less than 33554432\n",
          tooBig.err());
    }
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    String header = E2fs.run(List.of(E2fs.tool("dumpe2fs"), "-h", image.toString()));
    java.util.regex.Matcher count =
        java.util.regex.Pattern.compile("Block count:\\s+(\\d+)").matcher(header);
    java.util.regex.Matcher size =
        java.util.regex.Pattern.compile("Block size:\\s+(\\d+)").matcher(header);
    assertTrue(count.find() && size.find(), header);
    assertEquals(8L << 20, Long.parseLong(count.group(1)) * Long.parseLong(size.group(1)), header);
  }

  @Test
  void refusedConnection_isOneErrorLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String uri = "nbd://127.0.0.1:" + port + "/disk";
    CliTest.Result r = CliTest.mpage("ls", uri, "/");
    assertEquals(1, r.status());
    assertEquals("mpage: " + uri + ": connection refused\n", r.err());
  }

  @Test
  void unknownExportAndBadUri_areOneErrorLine() throws Exception {
    Path image = image();
    try (QemuNbd server = new QemuNbd(image, work.resolve("u.sock"))) {
      String uri = server.uri.replace("///disk", "///nope");
      CliTest.Result r = CliTest.mpage("cat", uri, "/dir/hello.txt");
      assertEquals(1, r.status());
      assertTrue(r.err().startsWith("mpage: " + uri + ": no such export 'nope'"), r.err());
      assertEquals(1, r.err().split("\n", -1).length - 1, r.err());
    }
    CliTest.Result bad = CliTest.mpage("ls", "nbd+unix:///disk", "/");
    assertEquals(1, bad.status());
    assertEquals(
        "mpage: nbd+unix:///disk: no socket (nbd+unix:///EXPORT?socket=PATH)\n", bad.err());
  }
}
