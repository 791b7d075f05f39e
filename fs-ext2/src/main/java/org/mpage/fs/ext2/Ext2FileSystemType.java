// fs/ext2/super.c: ext2_fs_type (and ext2_mount)
package org.mpage.fs.ext2;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.Folio;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.osgi.service.component.annotations.Component;

/**
 * The ext2 filesystem type: a Declarative Services component in OSGi ({@code filesystem.type=ext2})
 * and a {@link java.util.ServiceLoader} provider elsewhere.
 */
@Component(service = FileSystemType.class, property = "filesystem.type=ext2")
@ServiceProvider(value = FileSystemType.class, resolution = Resolution.OPTIONAL)
public final class Ext2FileSystemType implements FileSystemType {
  private static final long IDENTITY_TIMEOUT_SECONDS = 30;

  @Override
  public String name() {
    return "ext2";
  }

  @Override
  public FileSystem mount(BlockDevice device, StorageEngine engine, MountOptions options)
      throws IOException {
    return Ext2Super.mount(device, engine, options);
  }

  /** The superblock's UUID, read straight from {@code device} (not through any cache). */
  @Override
  public Optional<String> identity(BlockDevice device) throws IOException {
    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE));
    Bio bio = new Bio(device, BioOp.READ, Set.of(BioFlag.SYNC), 1);
    bio.setSector(Ext2Superblock.OFFSET / 512);
    bio.addFolio(page, Ext2Superblock.SIZE, 0);
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    device.submit(bio);
    BlockStatus status;
    try {
      status = done.get(IDENTITY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("reading the superblock of " + device.name());
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(device.name() + ": superblock read did not complete", e);
    }
    if (!status.isOk()) {
      throw new BlockIOException(device.name(), BioOp.READ, Ext2Superblock.OFFSET / 512, status);
    }
    long bytes = device.capacitySectors() * 512;
    return Optional.of(new Ext2Superblock(page.rawMemory(), bytes).uuidString());
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
