package org.mpage.api.fs;

import java.util.Map;

/**
 * How to mount: read-only or not, and filesystem-specific options (for ext2 e.g. {@code
 * boundary=off}).
 */
public record MountOptions(boolean readOnly, Map<String, String> options) {
  public MountOptions {
    options = Map.copyOf(options);
  }

  public static MountOptions defaultsReadOnly() {
    return new MountOptions(true, Map.of());
  }

  public static MountOptions defaultsReadWrite() {
    return new MountOptions(false, Map.of());
  }

  public String option(String key, String dflt) {
    return options.getOrDefault(key, dflt);
  }
}
