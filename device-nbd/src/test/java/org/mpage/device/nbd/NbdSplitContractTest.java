package org.mpage.device.nbd;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BlockDevice;
import org.mpage.core.testing.BlockDeviceContractTestCase;

/**
 * The block device contract over TCP with requests of at most 4 KiB, so that every BIO of several
 * pages or partial segments is split into requests whose replies may come in any order.
 */
class NbdSplitContractTest extends BlockDeviceContractTestCase {
  @TempDir Path dir;
  private NbdServer server;

  @Override
  protected BlockDevice newDevice(long capacityBytes) throws Exception {
    Path img = NbdServer.sparse(dir.resolve("disk.img"), capacityBytes);
    server = NbdServer.qemuNbdTcp(dir, img, "raw");
    return NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri()).withMaxRequestBytes(4096));
  }

  @Override
  protected void cleanUp() {
    if (server != null) {
      server.close();
    }
  }
}
