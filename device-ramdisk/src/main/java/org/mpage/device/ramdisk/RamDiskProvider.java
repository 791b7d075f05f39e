package org.mpage.device.ramdisk;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.osgi.service.component.annotations.Component;

/**
 * The RAM disk for {@link java.util.ServiceLoader} users: type {@code "ramdisk"}, option size. In
 * OSGi it is also a service, which tells the shell the factory PID of {@link RamDiskComponent}.
 */
@ServiceProvider(value = BlockDeviceProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = BlockDeviceProvider.class)
public final class RamDiskProvider implements BlockDeviceProvider {
  /** The factory PID of {@link RamDiskComponent}'s configurations: this bundle's own. */
  public static final String FACTORY_PID = "org.mpage.device.ramdisk";

  @Override
  public String type() {
    return "ramdisk";
  }

  @Override
  public String factoryPid() {
    return FACTORY_PID;
  }

  /** Options: {@code size} in bytes, with an optional K, M or G suffix (powers of 1024). */
  @Override
  public BlockDevice open(String name, Map<String, String> options) {
    String size = options.get("size");
    if (size == null) {
      throw new IllegalArgumentException("RAM disk " + name + ": option 'size' is required");
    }
    return new RamDisk(name, parseSize(size));
  }

  static long parseSize(String text) {
    String t = text.trim().toUpperCase(java.util.Locale.ROOT);
    long unit = 1;
    if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
      unit = 1L << (10 * ("KMG".indexOf(t.charAt(t.length() - 1)) + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(t), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("bad size: " + text, e);
    }
  }
}
