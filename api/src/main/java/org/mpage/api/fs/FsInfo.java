package org.mpage.api.fs;

import java.util.List;

/**
 * A summary of a mounted filesystem, as {@code dumpe2fs -h} would give it.
 *
 * @param journal what the mount did with the filesystem's journal ({@code "clean"}, or what a
 *     recovery replayed), or null for a filesystem without one
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
    String journal) {

  /** A summary of a filesystem without a journal. */
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
        null);
  }
}
