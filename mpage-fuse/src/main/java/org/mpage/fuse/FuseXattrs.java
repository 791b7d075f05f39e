package org.mpage.fuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import jnr.ffi.Pointer;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.Names;
import org.mpage.api.fs.XattrMode;
import org.mpage.fileops.Errno;

/**
 * getxattr, listxattr, setxattr and removexattr of the FUSE mount over the api, answered as a Linux
 * filesystem answers them: a size of 0 asks for the length only, a buffer too small is ERANGE,
 * XATTR_CREATE and XATTR_REPLACE become {@link XattrMode}s; the api's {@link
 * org.mpage.api.fs.XattrException} carries the errno of the rest (ENODATA, EEXIST, ENOSPC,
 * EOPNOTSUPP). Each method returns the reply (a count or 0) or throws for {@code MpageFuse} to turn
 * into a negated errno.
 */
final class FuseXattrs {
  /** setxattr(2) flags. */
  static final int XATTR_CREATE = 1;

  static final int XATTR_REPLACE = 2;

  private FuseXattrs() {}

  /** A reply of ERANGE: the caller's buffer is smaller than the answer. */
  private static int erange() {
    return -Errno.ERANGE.number();
  }

  static int get(FileSystem fs, String path, String name, Pointer value, long size)
      throws IOException {
    byte[] v = fs.getXattr(path, name);
    if (size == 0) {
      return v.length;
    }
    if (size < v.length) {
      return erange();
    }
    value.put(0, v, 0, v.length);
    return v.length;
  }

  /** The names, each followed by a NUL, as listxattr(2) returns them. */
  static int list(FileSystem fs, String path, Pointer list, long size) throws IOException {
    ByteArrayOutputStream names = new ByteArrayOutputStream();
    for (String n : fs.listXattr(path)) {
      names.writeBytes(Names.toBytes(n));
      names.write(0);
    }
    byte[] all = names.toByteArray();
    if (size == 0) {
      return all.length;
    }
    if (size < all.length) {
      return erange();
    }
    list.put(0, all, 0, all.length);
    return all.length;
  }

  static int set(FileSystem fs, String path, String name, Pointer value, long size, int flags)
      throws IOException {
    XattrMode mode =
        (flags & XATTR_CREATE) != 0
            ? XattrMode.CREATE
            : (flags & XATTR_REPLACE) != 0 ? XattrMode.REPLACE : XattrMode.CREATE_OR_REPLACE;
    if (size > Integer.MAX_VALUE) {
      return -Errno.ERANGE.number();
    }
    byte[] v = new byte[(int) size];
    if (size > 0) {
      value.get(0, v, 0, v.length);
    }
    fs.setXattr(path, name, v, mode);
    return 0;
  }

  static int remove(FileSystem fs, String path, String name) throws IOException {
    fs.removeXattr(path, name);
    return 0;
  }
}
