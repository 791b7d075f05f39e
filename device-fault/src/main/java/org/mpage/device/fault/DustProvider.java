package org.mpage.device.fault;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The dust target ({@link DustDevice}) for {@link java.util.ServiceLoader} users: type {@code
 * "dust"}, stacked on a lower device. In OSGi it is also a service, which tells the shell the
 * factory PID of {@link DustComponent}.
 */
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class DustProvider extends TargetProvider {
  /** The factory PID of {@link DustComponent}'s configurations. */
  public static final String FACTORY_PID = "org.mpage.device.fault.dust";

  @Override
  public String type() {
    return "dust";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  /** Options: see {@link DustDevice}. */
  @Override
  public BlockDevice stack(String name, BlockDevice lower, Map<String, String> options) {
    return new DustDevice(name, lower, options);
  }
}
