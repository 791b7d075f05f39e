package org.mpage.jmx;

/**
 * The swap slot of a mounted device name ({@code org.mpage:type=Slot,name=NAME}): registered while
 * something is mounted on the name.
 */
public interface SlotMXBean {
  /** The {@code device.name}. */
  String getName();

  /** {@code ACTIVE}, {@code SUSPENDED} (the backend left, I/O waits) or {@code FAILED}. */
  String getState();

  /** How many times a new backend was attached under the mount. */
  long getSwaps();

  /** BIOs waiting for a backend (non-zero only while suspended). */
  int getWaitingBios();

  /** Backends offering this name now. */
  int getBackends();

  /**
   * The backend service first on offer for the name (highest {@code service.ranking}): its
   * component name and service id, or empty when none is on offer (suspended).
   */
  String getBackend();
}
