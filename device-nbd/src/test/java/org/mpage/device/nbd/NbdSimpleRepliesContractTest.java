package org.mpage.device.nbd;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BlockDevice;
import org.mpage.core.testing.BlockDeviceContractTestCase;

/** The block device contract with structured replies declined: qemu-nbd's simple replies. */
class NbdSimpleRepliesContractTest extends BlockDeviceContractTestCase {
  @TempDir Path dir;
  private NbdServer server;

  @Override
  protected BlockDevice newDevice(long capacityBytes) throws Exception {
    Path img = NbdServer.sparse(dir.resolve("disk.img"), capacityBytes);
    server = NbdServer.qemuNbdUnix(dir, img, "raw");
    return NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri()).withStructuredReplies(false));
  }

  @Override
  protected void cleanUp() {
    if (server != null) {
      server.close();
    }
  }
}
