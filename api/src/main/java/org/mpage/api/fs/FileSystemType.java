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
}
