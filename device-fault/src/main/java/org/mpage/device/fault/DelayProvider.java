package org.mpage.device.fault;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The delay target ({@link DelayDevice}) for {@link java.util.ServiceLoader} users: type {@code
 * "delay"}, stacked on a lower device. In OSGi it is also a service, which tells the shell the
 * factory PID of {@link DelayComponent}.
 */
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class DelayProvider extends TargetProvider {
  /** The factory PID of {@link DelayComponent}'s configurations. */
  public static final String FACTORY_PID = "org.mpage.device.fault.delay";

  @Override
  public String type() {
    return "delay";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  /** Options: see {@link DelayDevice}. */
  @Override
  public BlockDevice stack(String name, BlockDevice lower, Map<String, String> options) {
    return new DelayDevice(name, lower, options);
  }
}
