package org.mpage.device.fault;

import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.ForwardingBlockDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A delay device ({@link DelayDevice}) made by each factory configuration of PID {@code
 * org.mpage.device.fault.delay}, stacked on the {@link BlockDevice} service its configuration names
 * ({@link Lower}), registered as a {@link BlockDevice} service itself.
 */
@Component(
    configurationPid = DelayProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = DelayComponentConfig.class, factory = true)
public final class DelayComponent extends ForwardingBlockDevice {
  private final DelayDevice device;

  @Activate
  public DelayComponent(
      DelayComponentConfig config,
      @Reference(name = "lower", target = Lower.UNSET) BlockDevice lower) {
    this(
        config.device_name(),
        config.lower(),
        lower,
        Options.of("read.ms", config.read_ms(), "write.ms", config.write_ms()));
  }

  /** Without OSGi, for tests. */
  DelayComponent(String name, String lowerName, BlockDevice lower, Map<String, String> options) {
    Lower.check(name, lowerName, lower);
    this.device = new DelayDevice(name, lower, options);
  }

  @Deactivate
  void deactivate() {
    device.close();
  }

  @Override
  protected BlockDevice delegate() {
    return device;
  }
}
