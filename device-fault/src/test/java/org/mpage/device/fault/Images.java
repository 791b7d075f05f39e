package org.mpage.device.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.fs.ext2.Ext2FileSystemType;

/** mke2fs images, e2fsprogs as the oracle, and ext2 mounted through a real engine. */
final class Images {
  private Images() {}

  static String tool(String name) {
    for (String dir :
        (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":", -1)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name).toString();
      }
    }
    throw new IllegalStateException(name + " not found: install e2fsprogs");
  }

  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + List.of(cmd));
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("failed (" + p.exitValue() + "): " + List.of(cmd) + "\n" + text);
    }
    return text;
  }

  /** A 4 KiB-block ext2 image of {@code size}. */
  static Path mkfs(Path image, String size) throws IOException, InterruptedException {
    run(tool("mke2fs"), "-q", "-F", "-t", "ext2", "-b", "4096", image.toString(), size);
    return image;
  }

  /** {@code e2fsck -fn}: fails with its output unless the image is clean. */
  static void fsck(Path image) throws IOException, InterruptedException {
    run(tool("e2fsck"), "-fn", image.toString());
  }

  /** The file's physical block of logical block {@code block}. */
  static long bmap(Path image, String path, long block) throws IOException, InterruptedException {
    String[] lines =
        run(tool("debugfs"), "-R", "bmap " + path + " " + block, image.toString())
            .trim()
            .split("\n", -1);
    return Long.parseLong(lines[lines.length - 1].trim());
  }

  /** The file's bytes as debugfs reads them from the image. */
  static byte[] cat(Path image, String path) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of(tool("debugfs"), "-R", "cat " + path, image.toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor(120, TimeUnit.SECONDS);
    return out;
  }

  static FileDevice file(Path image) throws IOException {
    return FileDevice.open(FileDeviceConfig.of("img", image));
  }

  /**
   * ext2 on {@code device} through an engine without a background flusher: writeback is fsync's.
   */
  record Mounted(MpageEngine engine, FileSystem fs) implements AutoCloseable {
    static Mounted on(BlockDevice device, int readAheadKb) throws IOException {
      MpageEngine engine =
          new MpageEngine(
              MpageEngine.Config.defaults()
                  .withReadAheadKb(readAheadKb)
                  .withFlusher(false, 1000, 1000));
      try {
        return new Mounted(
            engine,
            new Ext2FileSystemType().mount(device, engine, new MountOptions(false, Map.of())));
      } catch (IOException | RuntimeException e) {
        engine.close();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        fs.close();
      } finally {
        engine.close();
      }
    }
  }

  /** {@code n} bytes of a pattern that differs per {@code seed} and per 4 KiB page. */
  static byte[] pattern(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed * 31 + i / 4096 * 7 + i);
    }
    return b;
  }
}
