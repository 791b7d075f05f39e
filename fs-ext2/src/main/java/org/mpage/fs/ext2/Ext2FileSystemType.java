package org.mpage.fs.ext2;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.osgi.service.component.annotations.Component;

/**
 * The ext2 filesystem type: a Declarative Services component in OSGi ({@code filesystem.type=ext2})
 * and a {@link java.util.ServiceLoader} provider elsewhere.
 */
@Component(service = FileSystemType.class, property = "filesystem.type=ext2")
@ServiceProvider(value = FileSystemType.class, resolution = Resolution.OPTIONAL)
public final class Ext2FileSystemType implements FileSystemType {
  @Override
  public String name() {
    return "ext2";
  }

  @Override
  public FileSystem mount(BlockDevice device, StorageEngine engine, MountOptions options)
      throws IOException {
    return Ext2FileSystem.mount(device, engine, options);
  }

  /** Formats the device as a revision 1 ext2 (option {@code block.size}, default 4096). */
  @Override
  public void format(
      BlockDevice device, StorageEngine engine, java.util.Map<String, String> options)
      throws IOException {
    int blockSize;
    try {
      blockSize = Integer.parseInt(options.getOrDefault("block.size", "4096"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("block.size must be a number", e);
    }
    new Ext2Mkfs(device, engine, blockSize).run();
    engine.forgetDevice(device);
  }
}
