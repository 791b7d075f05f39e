package org.mpage.device.file;

import java.io.IOException;
import java.nio.file.Path;
import org.mpage.api.block.Bio;
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
 * A file device created by each Configuration Admin factory configuration of PID {@code
 * org.mpage.device.file}; registered as a {@link BlockDevice} service with the configuration's
 * properties ({@code device.name} among them). A bad configuration fails activation with a message
 * naming the problem.
 */
@Component(
    configurationPid = "org.mpage.device.file",
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = FileDeviceComponentConfig.class, factory = true)
public final class FileDeviceComponent implements BlockDevice {
  private final FileDevice device;

  @Activate
  public FileDeviceComponent(FileDeviceComponentConfig config) throws IOException {
    this(
        new FileDeviceConfig(
            config.device_name(),
            Path.of(config.path()),
            config.read_only(),
            config.direct(),
            config.queue_depth()));
  }

  /** Without OSGi, for tests. */
  FileDeviceComponent(FileDeviceConfig config) throws IOException {
    this.device = FileDevice.open(config);
  }

  @Deactivate
  void deactivate() {
    device.close();
  }

  @Override
  public String name() {
    return device.name();
  }

  @Override
  public long capacitySectors() {
    return device.capacitySectors();
  }

  @Override
  public int logicalBlockSize() {
    return device.logicalBlockSize();
  }

  @Override
  public void submit(Bio bio) {
    device.submit(bio);
  }

  @Override
  public BlockStatus rwPage(org.mpage.api.block.BioOp op, long sector, Folio folio) {
    return device.rwPage(op, sector, folio);
  }

  @Override
  public DiskStats stats() {
    return device.stats();
  }

  @Override
  public void close() {
    device.close();
  }

  @Override
  public String toString() {
    return device.toString();
  }
}
