// fs/ext2/acl.c: ext2_acl_from_disk, ext2_acl_to_disk; fs/posix_acl.c: posix_acl_from_xattr,
// posix_acl_to_xattr, posix_acl_valid
package org.mpage.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * POSIX ACLs between the two formats: the Linux xattr format that getfattr, setfattr and the api
 * exchange (version 2, every entry 8 bytes: tag, permissions, id, the id -1 where the tag has none)
 * and ext2's disk format (version 1, entries of the owner, owning group, mask and others 4 bytes
 * without an id, named users and groups 8 bytes). Values are little-endian in both.
 *
 * <p>A value from the api is checked as the kernel's posix_acl_valid checks it (known tags,
 * permissions rwx only, one owner, owning group and other entry, a mask when named entries exist,
 * named entries between them); a malformed one is refused with a message. A value from the disk
 * that does not parse is reported as corrupt by the caller.
 */
final class Ext2Acl {
  /** ACL_USER_OBJ, ACL_USER, ACL_GROUP_OBJ, ACL_GROUP, ACL_MASK, ACL_OTHER. */
  static final int USER_OBJ = 0x01;

  static final int USER = 0x02;
  static final int GROUP_OBJ = 0x04;
  static final int GROUP = 0x08;
  static final int MASK = 0x10;
  static final int OTHER = 0x20;

  /** POSIX_ACL_XATTR_VERSION and EXT2_ACL_VERSION. */
  static final int XATTR_VERSION = 2;

  static final int DISK_VERSION = 1;

  /** ACL_UNDEFINED_ID: the id of entries that have none, in the xattr format. */
  static final int UNDEFINED_ID = -1;

  private Ext2Acl() {}

  /** A malformed ACL; the message says what is wrong. */
  static final class BadAcl extends Exception {
    private static final long serialVersionUID = 1L;

    BadAcl(String message) {
      super(message);
    }
  }

  private static boolean hasId(int tag) {
    return tag == USER || tag == GROUP;
  }

  // posix_acl_from_xattr, posix_acl_valid, then ext2_acl_to_disk
  /**
   * The disk form of an ACL given in the xattr format; null for an ACL of no entries (setting one
   * removes the attribute, as the kernel does).
   */
  static byte[] toDisk(byte[] xattr) throws BadAcl {
    ByteBuffer in = ByteBuffer.wrap(xattr).order(ByteOrder.LITTLE_ENDIAN);
    if (xattr.length < 4 || (xattr.length - 4) % 8 != 0) {
      throw new BadAcl("ACL of " + xattr.length + " bytes: not 4 + 8 per entry");
    }
    if (in.getInt(0) != XATTR_VERSION) {
      throw new BadAcl("ACL version " + in.getInt(0) + ", expected " + XATTR_VERSION);
    }
    int count = (xattr.length - 4) / 8;
    if (count == 0) {
      return null;
    }
    int[] tags = new int[count];
    int[] perms = new int[count];
    int[] ids = new int[count];
    int size = 4;
    for (int i = 0; i < count; i++) {
      tags[i] = Short.toUnsignedInt(in.getShort(4 + 8 * i));
      perms[i] = Short.toUnsignedInt(in.getShort(6 + 8 * i));
      ids[i] = in.getInt(8 + 8 * i);
      size += hasId(tags[i]) ? 8 : 4;
    }
    valid(tags, perms);
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(DISK_VERSION);
    for (int i = 0; i < count; i++) {
      out.putShort((short) tags[i]).putShort((short) perms[i]);
      if (hasId(tags[i])) {
        out.putInt(ids[i]);
      }
    }
    return out.array();
  }

  // posix_acl_valid
  private static void valid(int[] tags, int[] perms) throws BadAcl {
    int state = USER_OBJ;
    boolean needsMask = false;
    for (int i = 0; i < tags.length; i++) {
      if ((perms[i] & ~7) != 0) {
        throw new BadAcl("entry " + i + ": permissions 0x" + Integer.toHexString(perms[i]));
      }
      int tag = tags[i];
      int next =
          switch (tag) {
            case USER_OBJ -> state == USER_OBJ ? USER : -1;
            case USER, GROUP -> state == tag ? state : -1;
            case GROUP_OBJ -> state == USER ? GROUP : -1;
            case MASK -> state == GROUP ? OTHER : -1;
            case OTHER -> state == OTHER || (state == GROUP && !needsMask) ? 0 : -1;
            default ->
                throw new BadAcl("entry " + i + ": unknown tag 0x" + Integer.toHexString(tag));
          };
      if (next == -1) {
        throw new BadAcl("entry " + i + ": tag 0x" + Integer.toHexString(tag) + " out of place");
      }
      needsMask |= tag == USER || tag == GROUP;
      state = next;
    }
    if (state != 0) {
      throw new BadAcl(
          "incomplete: owner, group and other entries are required, and a mask with named entries");
    }
  }

  /** The permission bits an access ACL gives, and whether the bits say all it says. */
  record ModeBits(int mode, boolean equivalent) {}

  // posix_acl_equiv_mode
  /**
   * The rwx bits of owner, group and other that an ACL (xattr format, already checked by {@link
   * #toDisk}) gives: with a mask entry the group bits are the mask's; equivalent when it has only
   * the three base entries.
   */
  static ModeBits equivMode(byte[] xattr) {
    ByteBuffer in = ByteBuffer.wrap(xattr).order(ByteOrder.LITTLE_ENDIAN);
    int mode = 0;
    boolean equivalent = true;
    for (int pos = 4; pos + 8 <= xattr.length; pos += 8) {
      int tag = Short.toUnsignedInt(in.getShort(pos));
      int perm = in.getShort(pos + 2) & 7;
      switch (tag) {
        case USER_OBJ -> mode |= perm << 6;
        case GROUP_OBJ -> mode |= perm << 3;
        case OTHER -> mode |= perm;
        case MASK -> {
          mode = (mode & ~070) | perm << 3;
          equivalent = false;
        }
        default -> equivalent = false;
      }
    }
    return new ModeBits(mode, equivalent);
  }

  // ext2_acl_from_disk, then posix_acl_to_xattr
  /** The xattr form of an ACL read from the disk. */
  static byte[] toXattr(byte[] disk) throws BadAcl {
    ByteBuffer in = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
    if (disk.length < 4 || in.getInt(0) != DISK_VERSION) {
      throw new BadAcl("ACL on disk without version " + DISK_VERSION);
    }
    int pos = 4;
    int count = 0;
    while (pos < disk.length) {
      if (pos + 4 > disk.length) {
        throw new BadAcl("ACL on disk ends inside an entry");
      }
      int tag = Short.toUnsignedInt(in.getShort(pos));
      int step = hasId(tag) ? 8 : 4;
      if (tag != USER_OBJ && tag != GROUP_OBJ && tag != MASK && tag != OTHER && !hasId(tag)) {
        throw new BadAcl("ACL on disk with unknown tag 0x" + Integer.toHexString(tag));
      }
      if (pos + step > disk.length) {
        throw new BadAcl("ACL on disk ends inside an entry");
      }
      pos += step;
      count++;
    }
    ByteBuffer out = ByteBuffer.allocate(4 + 8 * count).order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(XATTR_VERSION);
    pos = 4;
    while (pos < disk.length) {
      int tag = Short.toUnsignedInt(in.getShort(pos));
      out.putShort((short) tag).putShort(in.getShort(pos + 2));
      if (hasId(tag)) {
        out.putInt(in.getInt(pos + 4));
        pos += 8;
      } else {
        out.putInt(UNDEFINED_ID);
        pos += 4;
      }
    }
    return out.array();
  }
}
