package org.mpage.core.disk;

import org.mpage.api.block.BlockDevice;
import org.mpage.core.testing.BlockDeviceContractTestCase;
import org.mpage.device.ramdisk.RamDisk;

/** The block device contract on the RAM disk. */
class RamDiskContractTest extends BlockDeviceContractTestCase {
  @Override
  protected BlockDevice newDevice(long capacityBytes) {
    return new RamDisk("ram0", capacityBytes);
  }
}
