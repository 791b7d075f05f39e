package org.mpage.api.fs;

/**
 * A live migration of a mounted device to another backend, as the mount table shows it: the
 * device-mapper mirror that {@code pvmove} sets up, seen from {@code dmsetup status}.
 *
 * @param device the mounted device name
 * @param target the {@code device.name} of the backend it moves to
 * @param state where the migration is
 * @param copiedBytes bytes copied to the target so far, regions copied again included
 * @param totalBytes the device's size: one full pass copies this much
 * @param passes passes over the dirty-region log begun (the first is the full resync)
 * @param dirtyRegions regions written since they were last copied
 * @param regionBytes the size of a region of the dirty log
 * @param reason why it failed or was cancelled; empty otherwise
 */
public record MigrationInfo(
    String device,
    String target,
    State state,
    long copiedBytes,
    long totalBytes,
    int passes,
    long dirtyRegions,
    int regionBytes,
    String reason) {

  /** The states of a migration; the last three are final. */
  public enum State {
    /** Regions are being copied while the filesystem stays mounted and writes go on. */
    COPYING,
    /** The slot is suspended for the last dirty regions, the flush and the switch. */
    SWITCHING,
    /** The slot runs on the target; the source is no longer written. */
    DONE,
    /** Cancelled: the source stayed in use, nothing was switched. */
    CANCELLED,
    /** Aborted ({@link #reason}): the source stayed in use, nothing was switched. */
    FAILED;

    /** Whether the migration has ended. */
    public boolean isFinal() {
      return this == DONE || this == CANCELLED || this == FAILED;
    }
  }
}
