package org.mpage.device.logwrites;

import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.ForwardingBlockDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A log-writes device made by each Configuration Admin factory configuration of PID {@code
 * org.mpage.device.logwrites}, stacked on the {@link BlockDevice} service that {@code lower.target}
 * selects (as device-mapper's table names the lower device), and registered as a {@link
 * BlockDevice} service with the configuration's properties. The lower device is not closed with it:
 * it belongs to its own component. When the lower device goes, so does this one (a static
 * reference), as a dm target whose device vanished.
 */
@Component(
    configurationPid = LogWritesProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = LogWritesComponentConfig.class, factory = true)
public final class LogWritesComponent extends ForwardingBlockDevice {
  private final LogWritesDevice device;

  @Activate
  public LogWritesComponent(
      LogWritesComponentConfig config, @Reference(name = "lower") BlockDevice lower) {
    this(config.device_name(), lower);
  }

  /** Without OSGi, for tests. */
  LogWritesComponent(String name, BlockDevice lower) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("device.name is required");
    }
    if (name.equals(lower.name())) {
      throw new IllegalArgumentException("log-writes device " + name + " cannot stack on itself");
    }
    this.device = new LogWritesDevice(name, lower, false);
  }

  /** The log recorded so far. */
  public WriteLog log() {
    return device.log();
  }

  @Override
  protected BlockDevice delegate() {
    return device;
  }
}
