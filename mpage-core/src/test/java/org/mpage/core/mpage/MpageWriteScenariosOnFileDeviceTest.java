package org.mpage.core.mpage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.core.testing.Harness;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.file.ImageFiles;

/** The write scenarios on the file device: asynchronous completion on worker threads. */
class MpageWriteScenariosOnFileDeviceTest extends AbstractMpageWriteScenarios {
  @TempDir Path dir;

  @Override
  protected Harness.Backing backing() {
    return bytes ->
        FileDevice.open(
            FileDeviceConfig.of(
                "fd0", ImageFiles.createSparse(dir.resolve("fd0-" + System.nanoTime()), bytes)));
  }
}
