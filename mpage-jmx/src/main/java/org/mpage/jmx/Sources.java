package org.mpage.jmx;

import java.util.List;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;

/**
 * What the beans read: the services the component follows (or, in a test, objects made by hand).
 * Each method answers what is there now; the beans never keep what it returns.
 */
interface Sources {
  /** The mount table, or null while there is none. */
  Mounts mounts();

  /** The engine, or null while there is none. */
  StorageEngine engine();

  /** The block device backends on offer, best first within a name (by {@code service.ranking}). */
  List<Backend> backends();

  /**
   * A block device backend as the service registry shows it.
   *
   * @param description what to call it in a slot's {@code Backend} attribute (its component and
   *     service id)
   */
  record Backend(BlockDevice device, int ranking, String description) {}
}
