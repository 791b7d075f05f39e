package org.mpage.device.ramdisk;

import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.page.Folio;
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
    configurationPid = "org.mpage.device.ramdisk",
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = RamDiskComponentConfig.class, factory = true)
public final class RamDiskComponent implements BlockDevice {
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

  @Override
  public String name() {
    return disk.name();
  }

  @Override
  public long capacitySectors() {
    return disk.capacitySectors();
  }

  @Override
  public void submit(Bio bio) {
    disk.submit(bio);
  }

  @Override
  public boolean hasRwPage() {
    return disk.hasRwPage();
  }

  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    return disk.rwPage(op, sector, folio);
  }

  @Override
  public DiskStats stats() {
    return disk.stats();
  }

  @Override
  public void close() {
    disk.close();
  }

  @Override
  public String toString() {
    return disk.toString();
  }
}
