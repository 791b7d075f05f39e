package org.mpage.api.block;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears of every BIO the engine hands to a device (blktrace's dispatch, after plug merging): what a
 * live picture of a device's I/O pattern needs. In OSGi a listener is a whiteboard service the
 * engine's component binds dynamically; with none bound the engine traces nothing.
 *
 * <p>Called on the submitting thread, inside the block layer: an implementation must be quick,
 * thread-safe, allocate nothing on its way and never block or throw.
 */
@ConsumerType
@FunctionalInterface
public interface BioListener {
  /**
   * A BIO of {@code sectors} 512-byte sectors from {@code sector} on the device named {@code
   * device} was dispatched for {@code op}.
   */
  void dispatched(String device, BioOp op, long sector, long sectors);
}
