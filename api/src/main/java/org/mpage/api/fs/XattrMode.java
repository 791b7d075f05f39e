package org.mpage.api.fs;

/**
 * How {@link FileSystem#setXattr} treats an attribute that exists or not: the flags of {@code
 * setxattr(2)}.
 */
public enum XattrMode {
  /** {@code XATTR_CREATE}: fails with {@link XattrException.Kind#EXISTS} if it exists. */
  CREATE,
  /** {@code XATTR_REPLACE}: fails with {@link XattrException.Kind#NO_SUCH_ATTRIBUTE} if missing. */
  REPLACE,
  /** No flag: creates or replaces. */
  CREATE_OR_REPLACE
}
