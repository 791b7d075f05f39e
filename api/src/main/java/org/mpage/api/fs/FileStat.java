package org.mpage.api.fs;

/**
 * What {@code stat} says of a file. Times are seconds since the epoch; {@code blocks} counts
 * 512-byte units as {@code st_blocks} does.
 *
 * @param permissions the mode's permission bits (07777)
 */
public record FileStat(
    long ino,
    FileType type,
    int permissions,
    int links,
    long uid,
    long gid,
    long size,
    long blocks,
    long atime,
    long mtime,
    long ctime) {}
