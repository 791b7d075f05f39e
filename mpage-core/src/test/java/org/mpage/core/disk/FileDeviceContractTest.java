package org.mpage.core.disk;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BlockDevice;
import org.mpage.core.testing.BlockDeviceContractTestCase;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.file.ImageFiles;

/** The block device contract on the file device (a sparse image, its worker threads). */
class FileDeviceContractTest extends BlockDeviceContractTestCase {
  @TempDir Path dir;

  @Override
  protected BlockDevice newDevice(long capacityBytes) throws Exception {
    Path img = ImageFiles.createSparse(dir.resolve("disk.img"), capacityBytes);
    return FileDevice.open(FileDeviceConfig.of("disk0", img));
  }
}
