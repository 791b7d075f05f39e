package org.mpage.vfs.fake;

import org.mpage.core.pagecache.PageArena;

/** A mount-table class that uses an engine class: what the architecture rules must refuse. */
public final class MountTableReachingIntoCore {
  private MountTableReachingIntoCore() {}

  /** Uses the core, as the mount table must not (it has the engine as a service). */
  public static long reserved() {
    return new PageArena().reservedBytes();
  }
}
