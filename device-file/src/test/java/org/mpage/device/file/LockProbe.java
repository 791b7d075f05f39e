package org.mpage.device.file;

import java.nio.file.Path;

/** Run in a second JVM: tries to open an image read-write and says what happened. */
public final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws Exception {
    try (FileDevice dev = FileDevice.open(FileDeviceConfig.of("probe", Path.of(args[0])))) {
      System.out.println("OPENED " + dev.capacitySectors());
      System.exit(0);
    } catch (ImageInUseException e) {
      System.out.println("IN USE: " + e.getMessage());
      System.exit(3);
    }
  }
}
