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
 * A flakey device ({@link FlakeyDevice}) made by each factory configuration of PID {@code
 * org.mpage.device.fault.flakey}, stacked on the {@link BlockDevice} service its configuration
 * names ({@link Lower}), registered as a {@link BlockDevice} service itself.
 */
@Component(
    configurationPid = FlakeyProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = FlakeyComponentConfig.class, factory = true)
public final class FlakeyComponent extends ForwardingBlockDevice {
  private final FlakeyDevice device;

  @Activate
  public FlakeyComponent(
      FlakeyComponentConfig config,
      @Reference(name = "lower", target = Lower.UNSET) BlockDevice lower) {
    this(
        config.device_name(),
        config.lower(),
        lower,
        Options.of(
            "mode", config.mode(),
            "up.ms", config.up_ms(),
            "down.ms", config.down_ms(),
            "up.bios", config.up_bios(),
            "down.bios", config.down_bios(),
            "corrupt.byte", config.corrupt_byte(),
            "corrupt.value", config.corrupt_value()));
  }

  /** Without OSGi, for tests. */
  FlakeyComponent(String name, String lowerName, BlockDevice lower, Map<String, String> options) {
    Lower.check(name, lowerName, lower);
    this.device = new FlakeyDevice(name, lower, options);
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
