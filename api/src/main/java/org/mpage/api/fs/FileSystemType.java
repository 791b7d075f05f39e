package org.mpage.api.fs;

import java.io.IOException;
import org.mpage.api.block.BlockDevice;
import org.osgi.annotation.versioning.ConsumerType;

/** A filesystem implementation: found through {@link java.util.ServiceLoader} or as a service. */
@ConsumerType
public interface FileSystemType {
  /** The type name, e.g. {@code "ext2"}. */
  String name();

  /**
   * Mounts the filesystem on {@code device}, using {@code engine} for its page cache and metadata
   * buffers.
   *
   * @throws UnsupportedFeatureException if it uses features this driver refuses
   * @throws CorruptFilesystemException if it is not a valid filesystem of this type
   */
  FileSystem mount(BlockDevice device, StorageEngine engine, MountOptions options)
      throws IOException;

  /**
   * What identifies the filesystem on {@code device} (for ext2 its UUID), read from the device
   * directly; empty when this type has no such notion. A swapped-in backend must show the same
   * identity as the one the filesystem was mounted from.
   *
   * <p>Kept for types written before {@link #identity(BlockDevice, StorageEngine)}, which is what
   * the mount table calls; a type that reads through the engine may leave this one empty.
   *
   * @throws IOException if the device cannot be read or holds no filesystem of this type
   */
  default java.util.Optional<String> identity(BlockDevice device) throws IOException {
    return java.util.Optional.empty();
  }

  /**
   * {@link #identity(BlockDevice)}, read through {@code engine} ({@link
   * StorageEngine#submitBioWait}), so that the read is counted and traced with the engine's other
   * I/O. The default asks {@link #identity(BlockDevice)}.
   *
   * @throws IOException if the device cannot be read or holds no filesystem of this type
   */
  default java.util.Optional<String> identity(BlockDevice device, StorageEngine engine)
      throws IOException {
    return identity(device);
  }

  /**
   * Writes a new, empty filesystem over the whole device. Options are type-specific (for ext2
   * {@code block.size}: 1024, 2048 or 4096).
   *
   * @throws UnsupportedOperationException if this type cannot format
   * @throws IllegalArgumentException for a bad option or a device too small
   */
  default void format(
      BlockDevice device, StorageEngine engine, java.util.Map<String, String> options)
      throws IOException {
    throw new UnsupportedOperationException(name() + " cannot format devices");
  }
}
