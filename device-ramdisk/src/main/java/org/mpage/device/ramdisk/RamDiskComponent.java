package org.mpage.device.ramdisk;

import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.ForwardingBlockDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * A RAM disk created by each Configuration Admin factory configuration of PID {@code
 * org.mpage.device.ramdisk}, registered as a {@link BlockDevice} service with the configuration's
 * properties. Its data lives as long as the component: deactivating it drops the data, as unloading
 * brd does.
 */
@Component(
    configurationPid = RamDiskProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = RamDiskComponentConfig.class, factory = true)
public final class RamDiskComponent extends ForwardingBlockDevice {
  private final RamDisk disk;

  @Activate
  public RamDiskComponent(RamDiskComponentConfig config) {
    this(config.device_name(), config.size());
  }

  /** Without OSGi, for tests. */
  RamDiskComponent(String name, String size) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("device.name is required");
    }
    this.disk = new RamDisk(name, RamDiskProvider.parseSize(size));
  }

  @Deactivate
  void deactivate() {
    disk.close();
  }

  /** Every call goes to the RAM disk, rw_page included, so mounts get brd's fast path. */
  @Override
  protected BlockDevice delegate() {
    return disk;
  }
}
