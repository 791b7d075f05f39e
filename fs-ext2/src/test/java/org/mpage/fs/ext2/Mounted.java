package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/** An image mounted read-only through a real engine and file device; closes all three. */
final class Mounted implements AutoCloseable {
  final MpageEngine engine;
  final BlockDevice device;
  final FileSystem fs;

  private Mounted(MpageEngine engine, BlockDevice device, FileSystem fs) {
    this.engine = engine;
    this.device = device;
    this.fs = fs;
  }

  static Mounted image(Path image) throws IOException {
    return image(image, Map.of(), 128);
  }

  static Mounted image(Path image, Map<String, String> options, int readAheadKb)
      throws IOException {
    FileDevice dev = FileDevice.open(FileDeviceConfig.of("img", image).withReadOnly(true));
    return on(dev, options, readAheadKb);
  }

  static Mounted on(BlockDevice dev, Map<String, String> options, int readAheadKb)
      throws IOException {
    return on(dev, options, readAheadKb, true);
  }

  static Mounted on(BlockDevice dev, Map<String, String> options, int readAheadKb, boolean readOnly)
      throws IOException {
    MpageEngine engine =
        new MpageEngine(
            MpageEngine.Config.defaults()
                .withReadAheadKb(readAheadKb)
                .withFlusher(false, 1000, 1000));
    try {
      FileSystem fs =
          new Ext2FileSystemType().mount(dev, engine, new MountOptions(readOnly, options));
      return new Mounted(engine, dev, fs);
    } catch (IOException | RuntimeException e) {
      engine.close();
      dev.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      fs.close();
    } finally {
      engine.close();
      device.close();
    }
  }
}
