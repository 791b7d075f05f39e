package org.mpage.device.fault;

import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.ForwardingBlockDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A dust device ({@link DustDevice}) made by each factory configuration of PID {@code
 * org.mpage.device.fault.dust}, stacked on the {@link BlockDevice} service its configuration names
 * ({@link Lower}), registered as a {@link BlockDevice} service itself.
 *
 * <p>Unlike the other components it takes configuration updates in place ({@link Modified}): {@code
 * enabled} and {@code blocks} are dm-dust's run-time messages ({@code enable}, {@code disable},
 * {@code addbadblock}, {@code clearbadblocks}), which do not reload the table; re-creating the
 * device would also swap it under a mount. A new {@code block.size} takes effect only on a new
 * configuration; a new {@code lower.target} makes DS rebind, which re-creates the device.
 */
@Component(
    configurationPid = DustProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = DustComponentConfig.class, factory = true)
public final class DustComponent extends ForwardingBlockDevice {
  private final DustDevice device;

  @Activate
  public DustComponent(
      DustComponentConfig config,
      @Reference(name = "lower", target = Lower.UNSET) BlockDevice lower) {
    this(config.device_name(), config.lower(), lower, options(config));
  }

  /** Without OSGi, for tests. */
  DustComponent(String name, String lowerName, BlockDevice lower, Map<String, String> options) {
    Lower.check(name, lowerName, lower);
    this.device = new DustDevice(name, lower, options);
  }

  private static Map<String, String> options(DustComponentConfig config) {
    return Options.of(
        "blocks", config.blocks(),
        "block.size", config.block_size(),
        "enabled", config.enabled());
  }

  /** Applies {@code enabled} and the list of bad blocks; see the class comment. */
  @Modified
  void modified(DustComponentConfig config) {
    Options o = new Options("dust device " + device.name(), options(config), DustDevice.OPTIONS);
    var blocks = DustDevice.parseBlocks(o, o.string("blocks", ""));
    boolean enabled = o.bool("enabled", true);
    device.clearBadBlocks();
    blocks.forEach(device::addBadBlock);
    if (enabled) {
      device.enable();
    } else {
      device.disable();
    }
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
