package org.mpage.api.fs;

import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A mounted filesystem. Paths are absolute, {@code /}-separated, relative to the filesystem's root.
 * Errors are {@link java.nio.file.NoSuchFileException}, {@link
 * java.nio.file.NotDirectoryException}, {@link java.nio.file.FileSystemLoopException} (more than 40
 * symbolic links), {@link CorruptFilesystemException} and other {@link IOException}s, each naming
 * the path.
 */
@ConsumerType
public interface FileSystem extends AutoCloseable {
  /** What {@code dumpe2fs -h} would say. */
  FsInfo info();

  /** Stat of {@code path}, following a final symbolic link. */
  FileStat stat(String path) throws IOException;

  /** Stat of {@code path} itself, not following a final symbolic link. */
  FileStat lstat(String path) throws IOException;

  /** The entries of a directory, without {@code .} and {@code ..}, in on-disk order. */
  List<DirEntry> list(String path) throws IOException;

  /** The target of a symbolic link. */
  String readLink(String path) throws IOException;

  /** Opens a regular file (following symbolic links). */
  FileHandle open(String path) throws IOException;

  /** Writes everything dirty and waits. */
  void sync() throws IOException;

  /** Unmounts: syncs when writable, then releases caches. The device stays open. */
  @Override
  void close() throws IOException;
}
