package org.mpage.api.fs;

/** The kind of a file. */
public enum FileType {
  REGULAR,
  DIRECTORY,
  SYMLINK,
  CHAR_DEVICE,
  BLOCK_DEVICE,
  FIFO,
  SOCKET,
  UNKNOWN
}
