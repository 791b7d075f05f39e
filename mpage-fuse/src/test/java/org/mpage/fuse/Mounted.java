package org.mpage.fuse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.fs.ext2.E2fs;

/**
 * An image mounted for a test (file device, engine, ext2) and shown at a directory through FUSE.
 * Closing unmounts (lazily as a last resort, so no test leaves a mount behind), then syncs and
 * closes the image.
 */
final class Mounted implements AutoCloseable {
  final BlockDevice device;
  final StorageEngine engine;
  final FileSystem fs;
  final FuseMount mount;
  final Path dir;

  private Mounted(
      BlockDevice device, StorageEngine engine, FileSystem fs, FuseMount mount, Path dir) {
    this.device = device;
    this.engine = engine;
    this.fs = fs;
    this.mount = mount;
    this.dir = dir;
  }

  /** Skips the test, saying why, when this machine has no FUSE. */
  static void assumeFuse() {
    assumeTrue(
        Files.exists(Path.of("/dev/fuse")),
        "no /dev/fuse: FUSE tests skipped (install fuse and libfuse2; .ci/run does)");
  }

  static Mounted mount(Path image, Path dir, boolean readOnly) throws IOException {
    assumeFuse();
    BlockDeviceProvider file =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.type().equals("file"))
            .findFirst()
            .orElseThrow();
    BlockDevice device =
        file.open(
            "image", Map.of("path", image.toString(), "read.only", Boolean.toString(readOnly)));
    StorageEngine engine =
        ServiceLoader.load(StorageEngineFactory.class).findFirst().orElseThrow().create(Map.of());
    FileSystem fs = null;
    try {
      FileSystemType ext2 =
          ServiceLoader.load(FileSystemType.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(t -> t.name().equals("ext2"))
              .findFirst()
              .orElseThrow();
      fs = ext2.mount(device, engine, new MountOptions(readOnly, Map.of()));
      FuseMount m = FuseMount.mount(fs, dir, readOnly, image.toString());
      return new Mounted(device, engine, fs, m, dir);
    } catch (IOException | RuntimeException e) {
      if (fs != null) {
        fs.close();
      }
      engine.close();
      device.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      mount.close();
    } finally {
      try {
        // Whatever happened above, never leave a mount behind.
        if (Files.readString(Path.of("/proc/self/mounts")).contains(" " + dir + " ")) {
          new ProcessBuilder("fusermount", "-u", "-z", dir.toString()).start().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        try {
          fs.close();
        } finally {
          engine.close();
          device.close();
        }
      }
    }
  }

  /** Runs a shell command line in {@code cwd}; returns its output; fails if it exits non-zero. */
  static String sh(Path cwd, String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(List.of("bash", "-c", "set -euo pipefail; " + command))
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + out);
    }
    return out;
  }

  /** {@code e2fsck -fn}: the image is consistent (exit 0), else fails with its report. */
  static String fsck(Path image) throws IOException, InterruptedException {
    return E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
  }
}
