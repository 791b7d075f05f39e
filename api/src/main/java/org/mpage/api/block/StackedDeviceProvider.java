package org.mpage.api.block;

import java.io.IOException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A {@link BlockDeviceProvider} of a type that is stacked on another device, as a device-mapper
 * target is on its table's device: fault injection ({@code flakey}, {@code dust}, {@code delay}).
 * Such a device cannot be opened from options alone, so {@link #open(String, Map)} refuses and
 * {@link #stack} takes the lower device.
 *
 * <p>In OSGi the type's factory configurations name the lower device's {@code device.name} as
 * {@code lower}, and the DS reference target {@code lower.target} as {@code (device.name=LOWER)}; a
 * tool that creates them (the mpage shell) writes both.
 */
@ConsumerType
public interface StackedDeviceProvider extends BlockDeviceProvider {
  /**
   * Opens a device named {@code name} over {@code lower} with the type's options (the keys of its
   * OSGi configuration). The new device does not own {@code lower}: closing it leaves {@code lower}
   * open, as removing a device-mapper table leaves its disk.
   *
   * @throws IOException if the device cannot be made; the message says why
   * @throws IllegalArgumentException for a missing or malformed option
   */
  BlockDevice stack(String name, BlockDevice lower, Map<String, String> options) throws IOException;
}
