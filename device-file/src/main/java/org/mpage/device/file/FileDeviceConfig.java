package org.mpage.device.file;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to open an image file as a block device.
 *
 * @param name device name
 * @param path the image file; it must exist
 * @param readOnly open for reading only (a shared lock; writes fail)
 * @param direct bypass the host's page cache (O_DIRECT); refused with an error where the host
 *     filesystem does not support it
 * @param queueDepth number of BIOs executed in parallel (I/O worker threads), 1..64
 */
public record FileDeviceConfig(
    String name, Path path, boolean readOnly, boolean direct, int queueDepth) {
  public FileDeviceConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    if (name.isBlank()) {
      throw new IllegalArgumentException("device name must not be blank");
    }
    if (queueDepth < 1 || queueDepth > 64) {
      throw new IllegalArgumentException("queue.depth must be 1..64: " + queueDepth);
    }
  }

  /** Read-write, buffered, queue depth 4. */
  public static FileDeviceConfig of(String name, Path path) {
    return new FileDeviceConfig(name, path, false, false, 4);
  }

  public FileDeviceConfig withReadOnly(boolean ro) {
    return new FileDeviceConfig(name, path, ro, direct, queueDepth);
  }

  public FileDeviceConfig withDirect(boolean d) {
    return new FileDeviceConfig(name, path, readOnly, d, queueDepth);
  }

  public FileDeviceConfig withQueueDepth(int depth) {
    return new FileDeviceConfig(name, path, readOnly, direct, depth);
  }

  /**
   * From the string options of the OSGi configuration and {@code ServiceLoader} use: {@code path}
   * (required), {@code read.only}, {@code direct}, {@code queue.depth}.
   */
  public static FileDeviceConfig fromOptions(String name, Map<String, String> options) {
    String path = options.get("path");
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("file device " + name + ": option 'path' is required");
    }
    return new FileDeviceConfig(
        name,
        Path.of(path),
        bool(options, "read.only"),
        bool(options, "direct"),
        integer(options, "queue.depth", 4));
  }

  private static boolean bool(Map<String, String> options, String key) {
    String v = options.getOrDefault(key, "false").trim();
    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("option " + key + " must be true or false: " + v);
    }
    return Boolean.parseBoolean(v);
  }

  private static int integer(Map<String, String> options, String key, int dflt) {
    String v = options.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + key + " must be a number: " + v, e);
    }
  }
}
