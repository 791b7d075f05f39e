package org.mpage.jmx;

import java.io.IOException;

/**
 * The swap slot of a mounted device name ({@code org.mpage:type=Slot,name=NAME}): registered while
 * something is mounted on the name.
 */
public interface SlotMXBean {
  /** The {@code device.name}. */
  String getName();

  /**
   * {@code ACTIVE}, {@code HELD} (suspended by {@link #suspend}), {@code SUSPENDED} (the backend
   * left, I/O waits) or {@code FAILED}.
   */
  String getState();

  /** How many times a new backend was attached under the mount. */
  long getSwaps();

  /** BIOs waiting for a backend or a resume (non-zero only while suspended or held). */
  int getWaitingBios();

  /** Backends offering this name now. */
  int getBackends();

  /**
   * The backend service first on offer for the name (highest {@code service.ranking}): its
   * component name and service id, or empty when none is on offer (suspended).
   */
  String getBackend();

  /**
   * Syncs the mounted filesystem and holds the slot's I/O until {@link #resume}, as {@code
   * mpage:suspend} does.
   *
   * @throws IOException as the mount table refuses (suspended already, migrating...)
   */
  void suspend() throws IOException;

  /** Lets the held I/O go on, as {@code mpage:resume} does. */
  void resume() throws IOException;
}
