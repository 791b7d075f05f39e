package org.mpage.api.fs;

/** One name in a directory. */
public record DirEntry(String name, long ino, FileType type) {}
