// fs/ext2/super.c: ext2_fs_type
package org.mpage.fs.ext2;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.fs.ext2.disk.Ext2Superblock;
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
    return Ext2Super.mount(device, engine, options);
  }

  /**
   * The superblock's UUID, read straight from {@code device} (not through any cache) by a BIO the
   * engine counts and traces. The one-argument {@link #identity(BlockDevice)} stays the api's
   * default (empty): every reading of a device goes through an engine.
   */
  @Override
  public Optional<String> identity(BlockDevice device, StorageEngine engine) throws IOException {
    ByteBuffer raw = Ext2Super.readRaw(engine, device, Ext2Superblock.OFFSET, Ext2Superblock.SIZE);
    long bytes = device.capacitySectors() * BlockDevice.SECTOR_SIZE;
    return Optional.of(new Ext2Superblock(raw, bytes).uuidString());
  }

  /**
   * Formats the device as a revision 1 ext2. Options: {@code block.size} (default 4096), {@code
   * uuid} and {@code hash.seed} (UUIDs, random by default), {@code label} (at most 16 bytes of
   * UTF-8) and {@code time} (the seconds stamped on the superblock and the first inodes, the clock
   * by default).
   */
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
    new Ext2Mkfs(device, engine, blockSize, options).run();
    engine.forgetDevice(device);
  }
}
