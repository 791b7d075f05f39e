package org.mpage.api.block;

/** Modifiers of a {@link Bio}; the kernel's {@code REQ_*} flags that mpage uses. */
public enum BioFlag {
  /** Speculative read issued by readahead: a device may drop it under pressure. */
  RAHEAD,
  /** Someone waits for this I/O (data integrity writeback, fsync). */
  SYNC,
  /** Forced unit access: the write is durable when it completes. */
  FUA,
  /** Flush the device's volatile cache before this write. */
  PREFLUSH,
  /**
   * Filesystem metadata read past the buffer cache (the superblock, before its block size is
   * known): the engine counts it with the metadata reads. The kernel's {@code REQ_META}.
   */
  META
}
