package org.mpage.api.block;

import java.io.IOException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates block devices of one type without OSGi: found with {@link java.util.ServiceLoader}. In
 * OSGi the same backends are Declarative Services components configured through Configuration
 * Admin.
 */
@ConsumerType
public interface BlockDeviceProvider {
  /** The backend type, e.g. {@code "file"} or {@code "ramdisk"}. */
  String type();

  /**
   * Opens a device named {@code name} with the backend's options (the same keys as its OSGi
   * configuration, e.g. {@code path}, {@code read.only}).
   *
   * @throws IOException if the device cannot be opened; the message says why
   * @throws IllegalArgumentException for a missing or malformed option
   */
  BlockDevice open(String name, Map<String, String> options) throws IOException;
}
