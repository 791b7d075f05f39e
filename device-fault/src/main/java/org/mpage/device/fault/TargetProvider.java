package org.mpage.device.fault;

import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.StackedDeviceProvider;

/**
 * What the three targets' providers share: a target is stacked, never opened from options alone.
 */
abstract class TargetProvider implements StackedDeviceProvider {
  @Override
  public final BlockDevice open(String name, Map<String, String> options) {
    throw new IllegalArgumentException(
        type()
            + " device "
            + name
            + ": a "
            + type()
            + " device is stacked on a lower device (StackedDeviceProvider.stack)");
  }
}
