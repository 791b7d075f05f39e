package org.mpage.vfs.disk;

import org.mpage.api.block.Bio;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;

/**
 * What a {@link DeviceSlot} forwards to while no backend is attached: a device of no size that
 * answers every question with the interface's defaults and every BIO with {@link BlockStatus#NODEV}
 * (the slot itself queues or fails BIOs before they could get here).
 */
final class NoBackend implements BlockDevice {
  static final NoBackend INSTANCE = new NoBackend();

  private NoBackend() {}

  @Override
  public String name() {
    return "absent";
  }

  @Override
  public long capacitySectors() {
    return 0;
  }

  @Override
  public void submit(Bio bio) {
    bio.endio(BlockStatus.NODEV);
  }
}
