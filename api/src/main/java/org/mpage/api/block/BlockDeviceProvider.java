package org.mpage.api.block;

import java.io.IOException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates block devices of one type without OSGi: found with {@link java.util.ServiceLoader}. In
 * OSGi the same backends are Declarative Services components configured through Configuration Admin
 * (factory PID {@link #factoryPid()}), and the provider is a service that says so.
 */
@ConsumerType
public interface BlockDeviceProvider {
  /** The backend type, e.g. {@code "file"} or {@code "ramdisk"}. */
  String type();

  /**
   * The Configuration Admin factory PID whose configurations make this type's devices as OSGi
   * services, e.g. {@code "org.mpage.device.file"}. In OSGi each device bundle also registers its
   * provider as a service, so that tools (the mpage shell) learn the device types and their PIDs
   * from the bundles present rather than from constants of their own.
   */
  String factoryPid();

  /**
   * Opens a device named {@code name} with the backend's options (the same keys as its OSGi
   * configuration, e.g. {@code path}, {@code read.only}).
   *
   * @throws IOException if the device cannot be opened; the message says why
   * @throws IllegalArgumentException for a missing or malformed option
   */
  BlockDevice open(String name, Map<String, String> options) throws IOException;
}
