package org.mpage.api.fs;

import java.util.List;

/**
 * A summary of a mounted filesystem, as {@code dumpe2fs -h} would give it.
 *
 * @param journal what the mount did with the filesystem's journal ({@code "clean"}, or what a
 *     recovery replayed), or null for a filesystem without one
 * @param checksum how metadata is checksummed (e.g. "crc32c, seed 0x..."), empty when it is not
 */
public record FsInfo(
    String type,
    String uuid,
    String volumeName,
    int revision,
    int blockSize,
    long blocksCount,
    long freeBlocks,
    long inodesCount,
    long freeInodes,
    int inodeSize,
    long groups,
    List<String> features,
    String state,
    boolean readOnly,
    String journal,
    String checksum) {

  /** A summary of a filesystem without a journal or metadata checksums. */
  public FsInfo(
      String type,
      String uuid,
      String volumeName,
      int revision,
      int blockSize,
      long blocksCount,
      long freeBlocks,
      long inodesCount,
      long freeInodes,
      int inodeSize,
      long groups,
      List<String> features,
      String state,
      boolean readOnly) {
    this(
        type,
        uuid,
        volumeName,
        revision,
        blockSize,
        blocksCount,
        freeBlocks,
        inodesCount,
        freeInodes,
        inodeSize,
        groups,
        features,
        state,
        readOnly,
        null,
        "");
  }
}
