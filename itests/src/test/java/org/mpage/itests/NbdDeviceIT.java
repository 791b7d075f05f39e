package org.mpage.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;

/**
 * The NBD device in Felix: a factory configuration of {@code org.mpage.device.nbd} (or the shell's
 * {@code device nbd} command) connects to qemu-nbd on a Unix socket, the mount table mounts ext2 on
 * it, and e2fsck finds the server's file clean afterwards. Skipped where qemu-nbd is missing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NbdDeviceIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  private static Process qemuNbd(Path image, Path sock) throws Exception {
    Path tool = Path.of("/usr/bin/qemu-nbd");
    assumeTrue("qemu-nbd is not installed (qemu-utils): skipped", Files.isExecutable(tool));
    Process p =
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
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(sock));
        return p;
      } catch (IOException e) {
        if (System.nanoTime() > until || !p.isAlive()) {
          p.destroyForcibly();
          throw new AssertionError("qemu-nbd did not start", e);
        }
        Thread.sleep(20);
      }
    }
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  public void configuredNbdDevice_isMountedWrittenAndClean() throws Exception {
    Path dir = Files.createTempDirectory("nbd-it");
    try {
      Path src = Files.createDirectories(dir.resolve("src"));
      Files.writeString(src.resolve("hello.txt"), "hello through the NBD bundle\n");
      Path image = E2fsprogs.mkfs(dir.resolve("disk.img"), "16M", src);
      Process server = qemuNbd(image, dir.resolve("s.sock"));
      try {
        Services s = new Services(context);
        org.osgi.service.cm.Configuration c =
            s.create(
                "org.mpage.device.nbd",
                Map.of(
                    "device.name",
                    "nbd0",
                    "uri",
                    "nbd+unix:///disk?socket=" + dir.resolve("s.sock")));
        s.awaitDevice("nbd0", DeviceInfo.SwapState.UNUSED);
        assertEquals(16L << 20, s.device("nbd0").capacitySectors() * 512);
        Mounts mounts = s.mounts();
        FileSystem fs = mounts.mount("ext2", "nbd0", MountOptions.defaultsReadWrite());
        ByteBuffer in = ByteBuffer.allocate(64);
        try (FileHandle h = fs.open("/hello.txt")) {
          h.read(0, in);
        }
        assertEquals(
            "hello through the NBD bundle\n",
            new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
        byte[] data = new byte[200_000];
        new java.util.Random(3).nextBytes(data);
        try (FileHandle h = fs.openWrite("/new.bin", true, true, 0644)) {
          h.write(0, ByteBuffer.wrap(data));
          h.fsync();
        }
        mounts.unmount("nbd0");
        c.delete();
        s.awaitDevice("nbd0", null);
        stop(server);
        E2fsprogs.fsck(image);
        assertArrayEquals(data, E2fsprogs.dump(image, "/new.bin", dir.resolve("out.bin")));
      } finally {
        stop(server);
      }
    } finally {
      delete(dir);
    }
  }

  @Test
  public void shellListsTheType_andMakesAnNbdDevice() throws Exception {
    Path dir = Files.createTempDirectory("nbd-it");
    try {
      Path image = dir.resolve("disk.img");
      try (var ch =
          java.nio.channels.FileChannel.open(
              image,
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[1]), (8 << 20) - 1);
      }
      Process server = qemuNbd(image, dir.resolve("g.sock"));
      try {
        Services s = new Services(context);
        CommandProcessor processor = s.get(CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        CommandSession session = processor.createSession(System.in, ps, System.err);
        session.execute("mpage:devicetypes");
        String types = out.toString(StandardCharsets.UTF_8);
        assertTrue(types, types.lines().anyMatch(l -> l.matches("nbd +org.mpage.device.nbd +no")));
        out.reset();
        session.execute(
            "mpage:device nbd nbd1 'uri=nbd+unix:///disk?socket=" + dir.resolve("g.sock") + "'");
        assertEquals("nbd1: nbd", out.toString(StandardCharsets.UTF_8).strip());
        s.awaitDevice("nbd1", DeviceInfo.SwapState.UNUSED);
        assertEquals(8L << 20, s.device("nbd1").capacitySectors() * 512);
        out.reset();
        session.execute("mpage:rmdevice nbd1");
        s.awaitDevice("nbd1", null);
        session.close();
      } finally {
        stop(server);
      }
    } finally {
      delete(dir);
    }
  }
}
