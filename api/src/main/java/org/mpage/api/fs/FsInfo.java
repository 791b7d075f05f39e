package org.mpage.api.fs;

import java.util.List;

/** A summary of a mounted filesystem, as {@code dumpe2fs -h} would give it. */
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
    boolean readOnly) {}
