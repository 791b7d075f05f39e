// fs/ext2/super.c: ext2_fs_type
package org.mpage.fs.ext2;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceConsumer;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.blockmap.BlockMapProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The ext2 filesystem type: a Declarative Services component in OSGi ({@code filesystem.type=ext2})
 * and a {@link java.util.ServiceLoader} provider elsewhere.
 *
 * <p>The block-mapping schemes other bundles provide (ext4's extent trees) come the same two ways:
 * bound dynamically as {@link BlockMapProvider} services in OSGi, so that a provider leaving makes
 * the files it maps fail with an I/O error at once; found by {@link java.util.ServiceLoader}
 * elsewhere.
 */
@ServiceConsumer(value = BlockMapProvider.class, resolution = Resolution.OPTIONAL)
@Component(service = FileSystemType.class, property = "filesystem.type=ext2", immediate = true)
@ServiceProvider(value = FileSystemType.class, resolution = Resolution.OPTIONAL)
public final class Ext2FileSystemType implements FileSystemType {
  /**
   * Called by Declarative Services once its instance is ready: from then on every instance of this
   * class in the bundle (SPI Fly registers one of its own, for ServiceLoader users) mounts with the
   * providers DS binds, never with {@link java.util.ServiceLoader}.
   */
  @Activate
  void activate() {
    BlockMaps.bound().activate();
  }

  @Reference(
      service = BlockMapProvider.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addBlockMap(BlockMapProvider provider) {
    BlockMaps.bound().add(provider);
  }

  void removeBlockMap(BlockMapProvider provider) {
    BlockMaps.bound().remove(provider);
  }

  @Override
  public String name() {
    return "ext2";
  }

  @Override
  public FileSystem mount(BlockDevice device, StorageEngine engine, MountOptions options)
      throws IOException {
    return Ext2Super.mount(device, engine, options, BlockMaps.forMount());
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
