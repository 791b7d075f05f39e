package org.mpage.device.file;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;

/** The file device for {@link java.util.ServiceLoader} users: type {@code "file"}. */
// In OSGi the DS component is the way in; the ServiceLoader registrar is only used if present.
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
public final class FileDeviceProvider implements BlockDeviceProvider {
  @Override
  public String type() {
    return "file";
  }

  @Override
  public BlockDevice open(String name, Map<String, String> options) throws IOException {
    return FileDevice.open(FileDeviceConfig.fromOptions(name, options));
  }
}
