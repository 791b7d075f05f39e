// fs/ext2/xattr.h: struct ext2_xattr_entry; fs/ext2/xattr.c: ext2_xattr_hash_entry
package org.mpage.fs.ext2.disk;

import java.util.Arrays;
import java.util.Comparator;

/**
 * One extended attribute as ext2 keeps it: a name index (the namespace: 1 {@code user.}, 2 {@code
 * system.posix_acl_access}, ...), the name without its prefix, and the value bytes as stored (an
 * ACL in ext2's disk format). Immutable; the arrays are never changed after construction.
 *
 * <p>On disk an entry is a 16-byte header (name length, name index, value offset, value inode or
 * block, value size, hash) and the name, padded to 4 bytes; its value lives elsewhere in the same
 * area, padded to 4 bytes too.
 */
public final class XattrEntry {
  /** sizeof(struct ext2_xattr_entry) without the name. */
  public static final int HEADER = 16;

  /** The longest name (e_name_len is a byte). */
  public static final int MAX_NAME = 255;

  private static final int NAME_HASH_SHIFT = 5;
  private static final int VALUE_HASH_SHIFT = 16;

  private final int index;
  private final byte[] name;
  private final byte[] value;

  /** The arrays are kept, not copied: the caller gives them up. */
  public XattrEntry(int index, byte[] name, byte[] value) {
    if (index < 0 || index > 255 || name.length > MAX_NAME) {
      throw new IllegalArgumentException("bad attribute: index " + index + ", " + name.length);
    }
    this.index = index;
    this.name = name;
    this.value = value;
  }

  /** The name index (namespace). */
  public int index() {
    return index;
  }

  /** The name after the namespace prefix; not to be changed. */
  public byte[] name() {
    return name;
  }

  /** The value as stored; not to be changed. */
  public byte[] value() {
    return value;
  }

  /** The kernel's order of entries: name index, then name length, then the name's bytes. */
  public static final Comparator<XattrEntry> ORDER =
      (a, b) -> {
        if (a.index != b.index) {
          return Integer.compare(a.index, b.index);
        }
        if (a.name.length != b.name.length) {
          return Integer.compare(a.name.length, b.name.length);
        }
        return Arrays.compareUnsigned(a.name, b.name);
      };

  // EXT2_XATTR_LEN
  /** The bytes the entry takes in the entry table: header and name, padded to 4. */
  public static int entryLen(int nameLen) {
    return (nameLen + HEADER + 3) & ~3;
  }

  // EXT2_XATTR_SIZE
  /** The bytes a value of {@code size} takes in the value area: padded to 4. */
  public static int valueLen(int size) {
    return (size + 3) & ~3;
  }

  /** The bytes this entry takes in its area: entry and value. */
  public int footprint() {
    return entryLen(name.length) + valueLen(value.length);
  }

  /** Whether the two are the same attribute with the same value. */
  public boolean sameAs(XattrEntry o) {
    return index == o.index && Arrays.equals(name, o.name) && Arrays.equals(value, o.value);
  }

  /** Whether the two name the same attribute. */
  public boolean sameName(int otherIndex, byte[] otherName) {
    return index == otherIndex && Arrays.equals(name, otherName);
  }

  // ext2_xattr_hash_entry
  /**
   * The entry hash: the name's bytes, then the value's little-endian 32-bit words (zero padded),
   * each rotated in. The kernel reads the name through a plain {@code char *}, signed on x86, so a
   * byte above 0x7f enters sign-extended; e2fsck accepts that hash (and the unsigned one).
   */
  public int hash() {
    int hash = 0;
    for (byte c : name) {
      hash = (hash << NAME_HASH_SHIFT) ^ (hash >>> (32 - NAME_HASH_SHIFT)) ^ c;
    }
    for (int i = 0; i < value.length; i += 4) {
      int word = 0;
      for (int k = 0; k < 4 && i + k < value.length; k++) {
        word |= (value[i + k] & 0xFF) << (8 * k);
      }
      hash = (hash << VALUE_HASH_SHIFT) ^ (hash >>> (32 - VALUE_HASH_SHIFT)) ^ word;
    }
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof XattrEntry e && sameAs(e);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * index + Arrays.hashCode(name)) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "xattr[" + index + "]" + new String(name, java.nio.charset.StandardCharsets.UTF_8);
  }
}
