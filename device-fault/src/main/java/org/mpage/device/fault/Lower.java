package org.mpage.device.fault;

import org.mpage.api.block.BlockDevice;

/**
 * How a target's component finds its lower device: a static DS reference named {@code lower} to the
 * {@code BlockDevice} service that its configuration's {@code lower.target} selects, {@code
 * (device.name=LOWER)}, beside {@code lower=LOWER} itself. Until the configuration says which, the
 * reference's target matches nothing, so that a target never binds to an arbitrary device. When the
 * lower device's service goes, DS deactivates the target and its service goes too, so a mount on it
 * is suspended just as a mount on the lower device would be.
 */
final class Lower {
  /** The reference's target before a configuration sets {@code lower.target}: matches nothing. */
  static final String UNSET = "(&(device.name=*)(!(device.name=*)))";

  private Lower() {}

  /** Checks that the bound device is the one the configuration names. */
  static void check(String name, String lowerName, BlockDevice lower) {
    if (lowerName == null || lowerName.isBlank()) {
      throw new IllegalArgumentException(name + ": lower (the lower device's name) is required");
    }
    if (!lowerName.equals(lower.name())) {
      throw new IllegalArgumentException(
          name
              + ": lower is "
              + lowerName
              + " but lower.target selected "
              + lower.name()
              + "; set lower.target to (device.name="
              + lowerName
              + ")");
    }
    if (lowerName.equals(name)) {
      throw new IllegalArgumentException(name + ": a device cannot be stacked on itself");
    }
  }

  /** The {@code lower.target} of a lower device's name. */
  static String target(String lowerName) {
    return "(device.name=" + lowerName + ")";
  }
}
