package org.mpage.fileops;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;

/** An image mounted for a test: file device, engine and ext2, found through ServiceLoader. */
final class Mounted implements AutoCloseable {
  final BlockDevice device;
  final StorageEngine engine;
  final FileSystem fs;

  private Mounted(BlockDevice device, StorageEngine engine, FileSystem fs) {
    this.device = device;
    this.engine = engine;
    this.fs = fs;
  }

  static Mounted mount(Path image, boolean readOnly) throws IOException {
    BlockDeviceProvider file =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p.type().equals("file"))
            .findFirst()
            .orElseThrow();
    BlockDevice device =
        file.open(
            "image", Map.of("path", image.toString(), "read.only", Boolean.toString(readOnly)));
    StorageEngine engine =
        ServiceLoader.load(StorageEngineFactory.class).findFirst().orElseThrow().create(Map.of());
    FileSystemType ext2 =
        ServiceLoader.load(FileSystemType.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(t -> t.name().equals("ext2"))
            .findFirst()
            .orElseThrow();
    return new Mounted(
        device, engine, ext2.mount(device, engine, new MountOptions(readOnly, Map.of())));
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
