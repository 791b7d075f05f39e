package org.mpage.bench.harness;

import static org.mpage.bench.harness.Report.median;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.cli.Session;

/**
 * The NBD rows (issue 18): the big file read from, and written into, an image that {@code qemu-nbd}
 * serves on a Unix socket, mounted through the {@code nbd} device (found through {@link
 * ServiceLoader} as the CLI finds it for an {@code nbd+unix://} IMAGE), against the same image read
 * and written through the file device, in-process, with the same engine settings. Skipped with a
 * note when qemu-nbd or the nbd device is missing.
 */
final class NbdRows {
  private static final int MIB = SourceFiles.MIB;

  /** How long qemu-nbd may take to listen, and to exit when told to. */
  private static final long WAIT_SECONDS = 10;

  private final Options o;
  private final PrintStream log;
  private final Report report;

  NbdRows(Options o, PrintStream log, Report report) {
    this.o = o;
    this.log = log;
    this.report = report;
  }

  private void step(String s) {
    log.println("bench: " + s);
  }

  /** The label both rows start with, which CI looks for. */
  static String label(String op, int mib) {
    return op + " " + mib + " MiB, 4K blocks, over NBD (qemu-nbd on a Unix socket)";
  }

  /** Both rows, or a note saying why they were not measured. */
  void run(Path work, Path src, Path big, long crc) throws Exception {
    String qemuNbd;
    try {
      qemuNbd = Tools.find("qemu-nbd");
    } catch (IOException e) {
      report.notes().add("NBD rows not measured: no qemu-nbd (apt-get install qemu-utils)");
      return;
    }
    if (provider() == null) {
      report.notes().add("NBD rows not measured: no 'nbd' device on the class path");
      return;
    }
    // A short folder of its own: a Unix socket's path must fit in 108 bytes, --work may not.
    Path sockets = Files.createTempDirectory("mpage-nbd");
    try {
      read(work, src, crc, qemuNbd, sockets);
      write(work, big, crc, qemuNbd, sockets);
    } finally {
      Tools.deleteTree(sockets);
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  private void read(Path work, Path src, long crc, String qemuNbd, Path sockets) throws Exception {
    Path image = work.resolve("read-nbd.img");
    long imageMib = (long) o.sizeMib() + o.sizeMib() / 8 + 16;
    step("mke2fs -b 4096: " + imageMib + " MiB image holding the file, for the NBD reads");
    Tools.mke2fs(image, 4096, src, imageMib);
    long bytes = (long) o.sizeMib() * MIB;
    long[] nbd = new long[o.reps()];
    long[] file = new long[o.reps()];
    // Read-only export: qemu-nbd then takes only shared locks, which the file device's shared
    // lock on the same image agrees with.
    try (QemuNbd server = QemuNbd.start(qemuNbd, image, sockets, true)) {
      for (int r = 0; r < o.reps(); r++) {
        step("read over NBD, repetition " + (r + 1) + "/" + o.reps());
        long expect = r == 0 ? crc : -1;
        try (Session s = InProcess.mount(image, true, "mpage", null)) {
          file[r] = readFile(s.fileSystem(), expect, "the file device");
        }
        try (NbdMount m = NbdMount.open(server.uri(), true)) {
          nbd[r] = readFile(m.fileSystem(), expect, "NBD");
        }
      }
    }
    report.speed(
        label("read", o.sizeMib()) + ": mpage vs mpage on the file device",
        bytes,
        median(nbd),
        median(file),
        0);
    Files.delete(image);
  }

  /** Time of one read of /big.bin, its CRC-32 checked when {@code expectCrc} is not negative. */
  static long readFile(FileSystem fs, long expectCrc, String through) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
    byte[] copy = expectCrc >= 0 ? new byte[MIB] : null;
    CRC32 crc = new CRC32();
    long t0 = System.nanoTime();
    try (FileHandle h = fs.open("/big.bin")) {
      long pos = 0;
      for (int n; (n = h.read(pos, buf.clear())) > 0; ) {
        pos += n;
        if (copy != null) {
          buf.flip().get(copy, 0, n);
          crc.update(copy, 0, n);
        }
      }
    }
    long nanos = System.nanoTime() - t0;
    if (expectCrc >= 0 && crc.getValue() != expectCrc) {
      throw new IOException("mpage read wrong bytes through " + through);
    }
    return nanos;
  }

  // ---- writes ------------------------------------------------------------------------------

  private void write(Path work, Path big, long crc, String qemuNbd, Path sockets) throws Exception {
    long bytes = Files.size(big);
    long imageMib = (long) o.sizeMib() + o.sizeMib() / 8 + 16;
    long[] nbd = new long[o.reps()];
    long[] file = new long[o.reps()];
    for (int r = 0; r < o.reps(); r++) {
      step("write over NBD, repetition " + (r + 1) + "/" + o.reps());
      Path a = work.resolve("write-nbd.img");
      Path b = work.resolve("write-file.img");
      for (Path img : List.of(a, b)) {
        Tools.mke2fs(img, 4096, null, imageMib);
      }
      // Both timed alike, as the file device's write row is: mount, write, fsync, unmount.
      long t1 = System.nanoTime();
      try (Session s = InProcess.mount(b, false, "mpage", null)) {
        writeFile(s.fileSystem(), big);
      }
      file[r] = System.nanoTime() - t1;
      try (QemuNbd server = QemuNbd.start(qemuNbd, a, sockets, false)) {
        long t0 = System.nanoTime();
        try (NbdMount m = NbdMount.open(server.uri(), false)) {
          writeFile(m.fileSystem(), big);
        }
        nbd[r] = System.nanoTime() - t0;
      }
      if (r == 0) {
        for (Path img : List.of(a, b)) {
          Tools.run("e2fsck", "-fn", img.toString());
          try (Session s = InProcess.mount(img, true, "mpage", null)) {
            readFile(s.fileSystem(), crc, img.getFileName().toString());
          }
        }
      }
      Files.delete(a);
      Files.delete(b);
    }
    report.speed(
        label("write", o.sizeMib()) + ": mpage vs mpage on the file device",
        bytes,
        median(nbd),
        median(file),
        0);
  }

  /** Time of one write of {@code big} into /big.bin (created), fsync included. */
  static long writeFile(FileSystem fs, Path big) throws IOException {
    long t0 = System.nanoTime();
    try (FileChannel in = FileChannel.open(big, StandardOpenOption.READ);
        FileHandle h = fs.openWrite("/big.bin", true, true, 0644)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
      long pos = 0;
      for (int n; (n = in.read(buf.clear(), pos)) > 0; ) {
        buf.flip();
        while (buf.hasRemaining()) {
          pos += h.write(pos, buf);
        }
      }
      h.fsync();
    }
    return System.nanoTime() - t0;
  }

  // ---- the device and the server ------------------------------------------------------------

  static BlockDeviceProvider provider() {
    return ServiceLoader.load(BlockDeviceProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.type().equals("nbd"))
        .findFirst()
        .orElse(null);
  }

  /**
   * ext2 mounted on an NBD export as {@code ./mpage} mounts an {@code nbd+unix://} IMAGE, with the
   * engine options of {@link InProcess#mount} (1 MiB readahead, 64 MiB cache).
   */
  record NbdMount(BlockDevice device, StorageEngine engine, FileSystem fileSystem)
      implements AutoCloseable {
    static NbdMount open(String uri, boolean readOnly) throws IOException {
      Map<String, String> dev = new HashMap<>();
      dev.put("uri", uri);
      dev.put("read.only", Boolean.toString(readOnly));
      BlockDevice device = provider().open("nbd", dev);
      Map<String, String> options = new HashMap<>();
      options.put("dirty.pages", "4096");
      options.put("data.path", "mpage");
      options.put("read_ahead_kb", "1024");
      options.put("cache.pages", "16384");
      StorageEngine engine = null;
      try {
        engine =
            ServiceLoader.load(StorageEngineFactory.class)
                .findFirst()
                .orElseThrow(() -> new IOException("no storage engine on the class path"))
                .create(options);
        FileSystemType ext2 =
            ServiceLoader.load(FileSystemType.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(t -> t.name().equals("ext2"))
                .findFirst()
                .orElseThrow(() -> new IOException("no ext2 filesystem type on the class path"));
        FileSystem fs = ext2.mount(device, engine, new MountOptions(readOnly, Map.of()));
        return new NbdMount(device, engine, fs);
      } catch (IOException | RuntimeException e) {
        if (engine != null) {
          engine.close();
        }
        device.close();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        fileSystem.close();
      } finally {
        try {
          engine.close();
        } finally {
          device.close();
        }
      }
    }
  }

  /**
   * {@code qemu-nbd -f raw -t -x disk -k SOCKET [-r] IMAGE}, waited for until it accepts a
   * connection (at most {@value #WAIT_SECONDS} s), stopped on close (SIGTERM, then SIGKILL).
   */
  record QemuNbd(Process process, Path socket, Path log, String uri) implements AutoCloseable {
    static QemuNbd start(String qemuNbd, Path image, Path dir, boolean readOnly)
        throws IOException, InterruptedException {
      Path socket = dir.resolve("nbd-" + System.nanoTime() % 1_000_000 + ".sock");
      Path log = dir.resolve("qemu-nbd.log");
      List<String> cmd =
          new java.util.ArrayList<>(
              List.of(qemuNbd, "-f", "raw", "-t", "-x", "disk", "-k", socket.toString()));
      if (readOnly) {
        cmd.add("-r");
      }
      cmd.add(image.toString());
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      QemuNbd server = new QemuNbd(p, socket, log, "nbd+unix:///disk?socket=" + socket);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (System.nanoTime() < until) {
        if (!p.isAlive()) {
          throw new IOException(
              String.join(" ", cmd)
                  + " exited ("
                  + p.exitValue()
                  + "):\n"
                  + Files.readString(log, StandardCharsets.UTF_8));
        }
        if (accepts(socket)) {
          return server;
        }
        Thread.sleep(20);
      }
      server.close();
      throw new IOException(String.join(" ", cmd) + ": not listening after " + WAIT_SECONDS + " s");
    }

    private static boolean accepts(Path socket) {
      if (!Files.exists(socket)) {
        return false;
      }
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(socket));
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      process.destroy();
      try {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      Files.deleteIfExists(socket);
    }
  }
}
