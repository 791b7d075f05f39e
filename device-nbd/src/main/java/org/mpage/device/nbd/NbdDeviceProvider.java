package org.mpage.device.nbd;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The NBD device for {@link java.util.ServiceLoader} users: type {@code "nbd"}, option {@code uri}
 * (see {@link NbdDeviceConfig#fromOptions}). In OSGi it is also a service, which tells the shell
 * the factory PID of {@link NbdDeviceComponent}.
 */
// In OSGi the DS component is the way in; the ServiceLoader registrar is only used if present.
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class NbdDeviceProvider implements BlockDeviceProvider {
  /** The factory PID of {@link NbdDeviceComponent}'s configurations: this bundle's own. */
  public static final String FACTORY_PID = "org.mpage.device.nbd";

  @Override
  public String type() {
    return "nbd";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  /**
   * Connects to the export of option {@code uri}.
   *
   * @throws IOException with the reason alone (connection refused, no such export ...); the caller
   *     names the URI
   */
  @Override
  public BlockDevice open(String name, Map<String, String> options) throws IOException {
    return NbdDevice.open(NbdDeviceConfig.fromOptions(name, options));
  }
}
