package org.mpage.device.fault;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The flakey target ({@link FlakeyDevice}) for {@link java.util.ServiceLoader} users: type {@code
 * "flakey"}, stacked on a lower device. In OSGi it is also a service, which tells the shell the
 * factory PID of {@link FlakeyComponent}.
 */
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class FlakeyProvider extends TargetProvider {
  /** The factory PID of {@link FlakeyComponent}'s configurations. */
  public static final String FACTORY_PID = "org.mpage.device.fault.flakey";

  @Override
  public String type() {
    return "flakey";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  /** Options: see {@link FlakeyDevice}. */
  @Override
  public BlockDevice stack(String name, BlockDevice lower, Map<String, String> options) {
    return new FlakeyDevice(name, lower, options);
  }
}
