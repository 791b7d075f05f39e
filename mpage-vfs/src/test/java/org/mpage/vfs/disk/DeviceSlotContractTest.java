package org.mpage.vfs.disk;

import org.mpage.api.block.BlockDevice;
import org.mpage.core.testing.BlockDeviceContractTestCase;
import org.mpage.device.ramdisk.RamDisk;

/**
 * The block device contract on a swap slot over a RAM disk: what a mounted filesystem actually
 * talks to. Closing the slot (its unmount) must answer NODEV like closing a device.
 */
class DeviceSlotContractTest extends BlockDeviceContractTestCase {
  private RamDisk ram;

  @Override
  protected BlockDevice newDevice(long capacityBytes) {
    ram = new RamDisk("ram0", capacityBytes);
    return new DeviceSlot("ram0", ram, 2000);
  }

  @Override
  protected void cleanUp() {
    ram.close();
  }
}
