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
