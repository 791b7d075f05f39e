package org.mpage.api.fs;

import org.mpage.api.block.DiskStats;

/**
 * A device name as the mount table sees it.
 *
 * @param name the {@code device.name}
 * @param backends how many backends offer this name now
 * @param state where its swap slot is
 * @param capacitySectors the size, in 512-byte sectors
 * @param swaps how many times a new backend was attached under a mount
 * @param waitingBios BIOs waiting for a backend or for a resume (non-zero only while suspended or
 *     held)
 * @param stats the counters of the backend in use (or the best on offer)
 */
public record DeviceInfo(
    String name,
    int backends,
    SwapState state,
    long capacitySectors,
    long swaps,
    int waitingBios,
    org.mpage.api.block.DiskStats stats) {

  /** The state of a device name's swap slot. */
  public enum SwapState {
    /** Nothing mounted on it: no slot. */
    UNUSED,
    /** A backend is attached; I/O flows. */
    ACTIVE,
    /** The backend left; I/O waits for a replacement. */
    SUSPENDED,
    /**
     * Suspended on request ({@link Mounts#suspend}): the backend is attached, I/O waits for {@link
     * Mounts#resume}.
     */
    HELD,
    /** No replacement within the swap timeout: I/O fails until one arrives. */
    FAILED
  }

  public DeviceInfo {
    if (stats == null) {
      stats = DiskStats.ZERO;
    }
  }
}
