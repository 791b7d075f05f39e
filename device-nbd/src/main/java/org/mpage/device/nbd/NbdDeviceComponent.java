package org.mpage.device.nbd;

import java.io.IOException;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.ForwardingBlockDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * An NBD device made by each Configuration Admin factory configuration of PID {@code
 * org.mpage.device.nbd}, registered as a {@link BlockDevice} service with the configuration's
 * properties ({@code device.name} among them). An unreachable server or a bad configuration fails
 * activation with a message naming the problem; a connection lost later is the device's to
 * reconnect, while the service stays.
 */
@Component(
    configurationPid = NbdDeviceProvider.FACTORY_PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE,
    service = BlockDevice.class)
@Designate(ocd = NbdDeviceComponentConfig.class, factory = true)
public final class NbdDeviceComponent extends ForwardingBlockDevice {
  private final NbdDevice device;

  @Activate
  public NbdDeviceComponent(NbdDeviceComponentConfig config) throws IOException {
    this(
        new NbdDeviceConfig(
            config.device_name(),
            NbdUri.parse(config.uri()),
            config.read_only(),
            config.connect_timeout_ms(),
            config.io_timeout_ms(),
            config.reconnect_wait_ms(),
            0,
            config.structured_replies()));
  }

  /** Without OSGi, for tests. */
  NbdDeviceComponent(NbdDeviceConfig config) throws IOException {
    try {
      this.device = NbdDevice.open(config);
    } catch (IOException e) {
      throw new IOException(config.uri() + ": " + e.getMessage(), e);
    }
  }

  @Deactivate
  void deactivate() {
    device.close();
  }

  /** Every call goes to the NBD device; only the DS lifecycle is this class's own. */
  @Override
  protected BlockDevice delegate() {
    return device;
  }
}
