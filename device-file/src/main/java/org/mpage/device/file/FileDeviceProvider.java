package org.mpage.device.file;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The file device for {@link java.util.ServiceLoader} users: type {@code "file"}. In OSGi it is
 * also a service, which tells the shell the factory PID of {@link FileDeviceComponent}.
 */
// In OSGi the DS component is the way in; the ServiceLoader registrar is only used if present.
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class FileDeviceProvider implements BlockDeviceProvider {
  /** The factory PID of {@link FileDeviceComponent}'s configurations: this bundle's own. */
  public static final String FACTORY_PID = "org.mpage.device.file";

  @Override
  public String type() {
    return "file";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  @Override
  public BlockDevice open(String name, Map<String, String> options) throws IOException {
    return FileDevice.open(FileDeviceConfig.fromOptions(name, options));
  }
}
