// fs/ext2/xattr.c: ext2_xattr_get, ext2_xattr_list, ext2_xattr_set; the handlers of
// xattr_user.c, xattr_trusted.c, xattr_security.c and acl.c (their prefixes and name indexes)
package org.mpage.fs.ext2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.Names;
import org.mpage.api.fs.XattrException;
import org.mpage.api.fs.XattrException.Kind;
import org.mpage.api.fs.XattrMode;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.XattrArea;
import org.mpage.fs.ext2.disk.XattrEntry;

/**
 * Extended attributes of an inode by their full names: the namespace prefix becomes ext2's name
 * index, the value of an ACL is converted between the api's xattr format and the disk's ({@link
 * Ext2Acl}), and each attribute lives either in the inode ({@link Ext2XattrInode}) or in the
 * attribute block ({@link Ext2XattrBlock}).
 *
 * <p>Where a new value goes follows ext4: into the inode when the inode's area can hold it with the
 * others there, else into the block; a value that changes size may move. Reading takes both. The
 * caller holds the filesystem lock for every method.
 */
final class Ext2Xattr {
  /** The namespaces: prefix and name index, as ext2's handlers register them. */
  private enum Namespace {
    USER("user.", 1, false),
    POSIX_ACL_ACCESS("system.posix_acl_access", 2, true),
    POSIX_ACL_DEFAULT("system.posix_acl_default", 3, true),
    TRUSTED("trusted.", 4, false),
    SECURITY("security.", 6, false);

    final String prefix;
    final int index;

    /** The prefix is the whole name (the ACLs); the value is an ACL. */
    final boolean whole;

    Namespace(String prefix, int index, boolean whole) {
      this.prefix = prefix;
      this.index = index;
      this.whole = whole;
    }

    static Namespace ofIndex(int index) {
      for (Namespace n : values()) {
        if (n.index == index) {
          return n;
        }
      }
      return null;
    }
  }

  /** A full name taken apart: its namespace and the name bytes after the prefix. */
  private static final class Name {
    final Namespace ns;
    final byte[] suffix;

    Name(Namespace ns, byte[] suffix) {
      this.ns = ns;
      this.suffix = suffix;
    }
  }

  private final Ext2SbInfo fs;
  private final Ext2XattrInode ibody;
  private final Ext2XattrBlock block;

  Ext2Xattr(Ext2SbInfo fs, Ext2XattrBlock block) {
    this.fs = fs;
    this.ibody = new Ext2XattrInode(fs);
    this.block = block;
  }

  // xattr_resolve_name
  private static Name parse(String path, String full) throws XattrException {
    if (full == null || full.isEmpty()) {
      throw new XattrException(path, String.valueOf(full), Kind.INVALID, "empty name");
    }
    for (Namespace ns : Namespace.values()) {
      if (ns.whole ? full.equals(ns.prefix) : full.startsWith(ns.prefix)) {
        byte[] suffix = Names.toBytes(full.substring(ns.prefix.length()));
        if (!ns.whole && suffix.length == 0) {
          throw new XattrException(path, full, Kind.INVALID, "no name after the prefix");
        }
        if (suffix.length > XattrEntry.MAX_NAME) {
          throw new XattrException(
              path, full, Kind.TOO_LARGE, "name of " + suffix.length + " bytes, at most 255");
        }
        return new Name(ns, suffix);
      }
    }
    throw new XattrException(
        path,
        full,
        Kind.UNSUPPORTED,
        "ext2 knows user., trusted., security., system.posix_acl_access and"
            + " system.posix_acl_default");
  }

  private static String fullName(XattrEntry e) {
    Namespace ns = Namespace.ofIndex(e.index());
    if (ns == null || ns.whole != (e.name().length == 0)) {
      return null; // a namespace the api cannot name (ext4's system.data, richacl ...)
    }
    return ns.prefix + Names.fromBytes(e.name());
  }

  /** Every entry of the inode: the in-inode ones, then the block's. */
  private List<XattrEntry> all(Ext2Inode ei) throws IOException {
    List<XattrEntry> out = new ArrayList<>(ibody.read(ei));
    out.addAll(block.read(ei));
    return out;
  }

  // ext2_xattr_get
  /** The value of {@code full}, an ACL in the xattr format. */
  byte[] get(Ext2Inode ei, String path, String full) throws IOException {
    Name n = parse(path, full);
    for (XattrEntry e : all(ei)) {
      if (e.sameName(n.ns.index, n.suffix)) {
        if (!n.ns.whole) {
          return e.value().clone();
        }
        try {
          return Ext2Acl.toXattr(e.value());
        } catch (Ext2Acl.BadAcl bad) {
          throw fs.corrupt(full + ": " + bad.getMessage(), ei.ino, ei.fileAcl);
        }
      }
    }
    throw new XattrException(path, full, Kind.NO_SUCH_ATTRIBUTE, null);
  }

  // ext2_xattr_list
  /** The full names, in-inode first, each once. */
  List<String> list(Ext2Inode ei) throws IOException {
    List<String> out = new ArrayList<>();
    for (XattrEntry e : all(ei)) {
      String name = fullName(e);
      if (name != null && !out.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  // ext2_xattr_set (with ext4_xattr_set_handle's choice between the inode and the block)
  /** Sets ({@code value} not null) or removes ({@code value} null) attribute {@code full}. */
  void set(Ext2Inode ei, String path, String full, byte[] value, XattrMode mode)
      throws IOException {
    Name n = parse(path, full);
    byte[] stored = value;
    if (value != null && n.ns.whole) {
      try {
        stored = Ext2Acl.toDisk(value);
      } catch (Ext2Acl.BadAcl bad) {
        throw new XattrException(path, full, Kind.INVALID, bad.getMessage());
      }
      if (stored != null && n.ns == Namespace.POSIX_ACL_ACCESS) {
        stored = updateMode(ei, value, stored);
      }
      if (stored == null) {
        mode = XattrMode.CREATE_OR_REPLACE; // an empty ACL removes it, present or not
        if (!exists(ei, n)) {
          fs.inodeChanged(ei);
          return;
        }
      }
    }
    int blockSize = fs.superblock().blockSize;
    if (stored != null && stored.length > blockSize) {
      throw new XattrException(
          path,
          full,
          Kind.TOO_LARGE,
          "value of " + stored.length + " bytes, block of " + blockSize);
    }
    List<XattrEntry> inInode = new ArrayList<>(ibody.read(ei));
    List<XattrEntry> inBlock = new ArrayList<>(block.read(ei));
    boolean wasInInode = inInode.removeIf(e -> e.sameName(n.ns.index, n.suffix));
    boolean wasInBlock = inBlock.removeIf(e -> e.sameName(n.ns.index, n.suffix));
    boolean exists = wasInInode || wasInBlock;
    if (exists && mode == XattrMode.CREATE) {
      throw new XattrException(path, full, Kind.EXISTS, null);
    }
    if (!exists && (mode == XattrMode.REPLACE || stored == null)) {
      throw new XattrException(path, full, Kind.NO_SUCH_ATTRIBUTE, null);
    }
    boolean inodeChanged = wasInInode;
    boolean blockChanged = wasInBlock;
    if (stored != null) {
      XattrEntry entry = new XattrEntry(n.ns.index, n.suffix, stored);
      List<XattrEntry> tryInode = sorted(inInode, entry);
      int room = ibody.capacity(ei);
      if (room >= 0 && XattrArea.needed(tryInode) <= room) {
        inInode = tryInode;
        inodeChanged = true;
      } else {
        List<XattrEntry> tryBlock = sorted(inBlock, entry);
        if (Ext2XattrBlock.HEADER + XattrArea.needed(tryBlock) > blockSize) {
          throw new XattrException(
              path,
              full,
              Kind.NO_SPACE,
              "the attributes would need "
                  + (Ext2XattrBlock.HEADER + XattrArea.needed(tryBlock))
                  + " bytes of a "
                  + blockSize
                  + "-byte block");
        }
        inBlock = tryBlock;
        blockChanged = true;
      }
    }
    if (inodeChanged) {
      inInode.sort(XattrEntry.ORDER);
      ibody.write(ei, inInode);
    }
    if (blockChanged) {
      inBlock.sort(XattrEntry.ORDER);
      block.set(ei, inBlock);
    }
    ei.ctime = fs.now();
    fs.inodeChanged(ei);
  }

  // ext2_set_acl: posix_acl_update_mode
  /**
   * An access ACL sets the inode's permission bits, as the kernel's set_acl does (cp -a and setfacl
   * rely on it); one the bits say entirely is not stored. Returns what to store, or null.
   */
  private byte[] updateMode(Ext2Inode ei, byte[] xattr, byte[] disk) {
    Ext2Acl.ModeBits bits = Ext2Acl.equivMode(xattr);
    ei.mode = (ei.mode & ~0777) | bits.mode();
    ei.ctime = fs.now();
    return bits.equivalent() ? null : disk;
  }

  private boolean exists(Ext2Inode ei, Name n) throws IOException {
    for (XattrEntry e : all(ei)) {
      if (e.sameName(n.ns.index, n.suffix)) {
        return true;
      }
    }
    return false;
  }

  private static List<XattrEntry> sorted(List<XattrEntry> entries, XattrEntry add) {
    List<XattrEntry> out = new ArrayList<>(entries);
    out.add(add);
    out.sort(XattrEntry.ORDER);
    return out;
  }
}
