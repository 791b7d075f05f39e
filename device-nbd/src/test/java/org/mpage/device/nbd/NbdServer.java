package org.mpage.device.nbd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An NBD server run by a test: qemu-nbd, nbd-server or nbdkit as a child process, listening on
 * 127.0.0.1 or on a Unix socket in the test's folder, stopped on close. Tests needing a server the
 * machine lacks are skipped (a JUnit assumption naming the package) rather than failed.
 */
final class NbdServer implements AutoCloseable {
  private final List<String> command;
  private final Path log;
  private final String uri;
  private final Path socket;
  private final int port;
  private Process process;

  /** nbd-server in the foreground serves one client and exits: probe without connecting. */
  private boolean oneClient;

  private NbdServer(List<String> command, Path log, String uri, Path socket, int port) {
    this.command = command;
    this.log = log;
    this.uri = uri;
    this.socket = socket;
    this.port = port;
  }

  /** The URI of the export. */
  String uri() {
    return uri;
  }

  /** Skips the test unless {@code tool} is installed. */
  static void assumeInstalled(String tool, String pkg) {
    assumeTrue(
        find(tool) != null, tool + " is not installed (Debian package " + pkg + "): test skipped");
  }

  static String find(String tool) {
    for (String dir :
        (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":", -1)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return Path.of(dir, tool).toString();
      }
    }
    return null;
  }

  /** qemu-nbd serving {@code image} as export {@code disk} on a Unix socket in {@code dir}. */
  static NbdServer qemuNbdUnix(Path dir, Path image, String format, String... extra)
      throws IOException {
    assumeInstalled("qemu-nbd", "qemu-utils");
    Path sock = dir.resolve("qemu-" + System.nanoTime() % 100000 + ".sock");
    List<String> cmd =
        new ArrayList<>(
            List.of(find("qemu-nbd"), "-f", format, "-k", sock.toString(), "-t", "-x", "disk"));
    cmd.addAll(List.of(extra));
    cmd.add(image.toString());
    return new NbdServer(
            cmd, dir.resolve("qemu-nbd.log"), "nbd+unix:///disk?socket=" + sock, sock, 0)
        .start();
  }

  /** qemu-nbd serving {@code image} as export {@code disk} on a free port of 127.0.0.1. */
  static NbdServer qemuNbdTcp(Path dir, Path image, String format, String... extra)
      throws IOException {
    assumeInstalled("qemu-nbd", "qemu-utils");
    int port = freePort();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                find("qemu-nbd"),
                "-f",
                format,
                "-b",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-t",
                "-x",
                "disk"));
    cmd.addAll(List.of(extra));
    cmd.add(image.toString());
    return new NbdServer(
            cmd, dir.resolve("qemu-nbd.log"), "nbd://127.0.0.1:" + port + "/disk", null, port)
        .start();
  }

  /** nbd-server (in the foreground) exporting {@code image} as {@code disk} on 127.0.0.1. */
  static NbdServer nbdServer(Path dir, Path image) throws IOException {
    assumeInstalled("nbd-server", "nbd-server");
    int port = freePort();
    Path conf = dir.resolve("nbd-server.conf");
    Files.writeString(
        conf,
        "[generic]\n"
            + "    listenaddr = 127.0.0.1\n"
            + "    port = "
            + port
            + "\n"
            + "    allowlist = true\n"
            + "[disk]\n"
            + "    exportname = "
            + image
            + "\n",
        StandardCharsets.UTF_8);
    List<String> cmd = List.of(find("nbd-server"), "-C", conf.toString(), "-d");
    NbdServer server =
        new NbdServer(
            cmd, dir.resolve("nbd-server.log"), "nbd://127.0.0.1:" + port + "/disk", null, port);
    server.oneClient = true;
    return server.start();
  }

  /** nbdkit in the foreground on a Unix socket in {@code dir}, with the given plugin arguments. */
  static NbdServer nbdkit(Path dir, String... args) throws IOException {
    assumeInstalled("nbdkit", "nbdkit");
    Path sock = dir.resolve("nbdkit-" + System.nanoTime() % 100000 + ".sock");
    List<String> cmd = new ArrayList<>(List.of(find("nbdkit"), "-f", "-U", sock.toString()));
    cmd.addAll(List.of(args));
    return new NbdServer(cmd, dir.resolve("nbdkit.log"), "nbd+unix:///?socket=" + sock, sock, 0)
        .start();
  }

  /** Starts (or restarts) the server and waits, at most 10 s, until it accepts connections. */
  NbdServer start() throws IOException {
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IOException(
            "server exited ("
                + process.exitValue()
                + "): "
                + command
                + "\n"
                + Files.readString(log));
      }
      if (accepts()) {
        return this;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    throw new IOException("server not listening after 10 s: " + command);
  }

  private boolean accepts() {
    if (oneClient) {
      return listening(port);
    }
    try {
      if (socket != null) {
        if (!Files.exists(socket)) {
          return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          ch.connect(UnixDomainSocketAddress.of(socket));
        }
      } else {
        try (SocketChannel ch =
            SocketChannel.open(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port))) {
          ch.isConnected();
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops ({@code SIGSTOP}) or continues ({@code SIGCONT}) the server: a hung server. */
  void signal(String sig) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + sig + " " + process.pid() + " failed");
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    if (process.isAlive()) {
      try {
        signal("CONT"); // a stopped server cannot act on SIGTERM
      } catch (IOException | InterruptedException e) {
        process.destroyForcibly();
      }
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Whether 127.0.0.1:{@code port} is in LISTEN state, from /proc/net/tcp. */
  private static boolean listening(int port) {
    String local = String.format(java.util.Locale.ROOT, "0100007F:%04X", port);
    try {
      for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
        String[] f = line.trim().split("\\s+", -1);
        if (f.length > 3 && f[1].equals(local) && f[3].equals("0A")) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A sparse file of {@code bytes}. */
  static Path sparse(Path file, long bytes) throws IOException {
    try (var ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(java.nio.ByteBuffer.wrap(new byte[1]), bytes - 1);
    }
    return file;
  }
}
