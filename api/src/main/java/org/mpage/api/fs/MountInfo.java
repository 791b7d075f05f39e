package org.mpage.api.fs;

/**
 * One mount: the device name, the filesystem type, read-only or not, and the identity a replacement
 * backend must have (for ext2 the superblock UUID; empty when the type has none).
 */
public record MountInfo(String device, String type, boolean readOnly, String identity) {}
