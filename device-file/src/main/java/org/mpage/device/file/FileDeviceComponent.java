package org.mpage.device.file;

import java.io.IOException;
import java.nio.file.Path;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.ForwardingBlockDevice;
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
    configurationPid = FileDeviceProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = FileDeviceComponentConfig.class, factory = true)
public final class FileDeviceComponent extends ForwardingBlockDevice {
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

  /** Every call goes to the file device; only the DS lifecycle is this class's own. */
  @Override
  protected BlockDevice delegate() {
    return device;
  }
}
