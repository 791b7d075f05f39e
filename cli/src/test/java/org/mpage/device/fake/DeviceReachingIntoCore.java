package org.mpage.device.fake;

import org.mpage.core.pagecache.PageArena;

/** A device class that uses an engine class: what the architecture rules must refuse. */
public final class DeviceReachingIntoCore {
  private DeviceReachingIntoCore() {}

  /** Uses the core, as a device must not. */
  public static long reserved() {
    return new PageArena().reservedBytes();
  }
}
