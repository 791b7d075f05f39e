package org.mpage.device.logwrites;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceConsumer;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The log-writes device for {@link ServiceLoader} users: type {@code "logwrites"}. Options: {@code
 * lower.type}, the type of the device to stack on, and that device's options prefixed with {@code
 * lower.} (e.g. {@code lower.type=ramdisk}, {@code lower.size=64M}). In OSGi it is also a service,
 * which tells the shell the factory PID of {@link LogWritesComponent}.
 */
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@ServiceConsumer(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class LogWritesProvider implements BlockDeviceProvider {
  /** The factory PID of {@link LogWritesComponent}'s configurations: this bundle's own. */
  public static final String FACTORY_PID = "org.mpage.device.logwrites";

  @Override
  public String type() {
    return "logwrites";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  @Override
  public BlockDevice open(String name, Map<String, String> options) throws IOException {
    String lowerType = options.get("lower.type");
    if (lowerType == null) {
      throw new IllegalArgumentException(
          "log-writes device " + name + ": option 'lower.type' is required");
    }
    if (lowerType.equals(type())) {
      throw new IllegalArgumentException("log-writes device " + name + " cannot stack on itself");
    }
    Map<String, String> lowerOptions = new HashMap<>();
    options.forEach(
        (k, v) -> {
          if (k.startsWith("lower.") && !k.equals("lower.type")) {
            lowerOptions.put(k.substring("lower.".length()), v);
          }
        });
    for (BlockDeviceProvider p :
        ServiceLoader.load(BlockDeviceProvider.class, LogWritesProvider.class.getClassLoader())) {
      if (p.type().equals(lowerType)) {
        return new LogWritesDevice(name, p.open(name + "-lower", lowerOptions), true);
      }
    }
    throw new IllegalArgumentException(
        "log-writes device " + name + ": no device type '" + lowerType + "'");
  }
}
