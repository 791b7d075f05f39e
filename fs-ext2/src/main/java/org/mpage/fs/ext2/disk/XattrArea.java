// fs/ext2/xattr.c (the entry table and value area of an EA block), fs/ext4/xattr.c (the same in
// the inode: ext4_xattr_ibody_get, xattr_check_inode)
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;

/**
 * An attribute area: a table of entries growing up from {@code entriesStart}, ended by four zero
 * bytes, and their values growing down from {@code end}. An EA block is one (its entries after the
 * 32-byte header, value offsets counted from the block's start); the space of a large inode after
 * i_extra_isize is another (after a 4-byte magic, offsets counted from the first entry).
 *
 * <pre>
 *   entriesStart                                                        end
 *   | entry | entry | ... | 0000 |     free      | value n | ... | value 1 |
 *   valueBase + e_value_offs points at each value (4-byte aligned)
 * </pre>
 *
 * <p>Reading checks every entry and value lies inside the area and values start past the table, so
 * a corrupt area ends with a {@link CorruptFilesystemException} (naming neither inode nor block:
 * the caller adds them) and never a loop (the table is walked forwards only).
 */
public final class XattrArea {
  private XattrArea() {}

  /**
   * The entries of the area, in their on-disk order.
   *
   * @param area the bytes (position 0 is offset 0 of the block or inode)
   * @param entriesStart where the first entry is
   * @param valueBase what value offsets count from
   * @param end where the area ends (exclusive)
   */
  public static List<XattrEntry> parse(ByteBuffer area, int entriesStart, int valueBase, int end)
      throws CorruptFilesystemException {
    ByteBuffer b = area.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<XattrEntry> out = new ArrayList<>();
    int pos = entriesStart;
    while (true) {
      if (pos + 4 > end) {
        throw bad("attribute entries run past the end of the area at offset " + pos);
      }
      if (b.getInt(pos) == 0) {
        break; // IS_LAST_ENTRY
      }
      int nameLen = b.get(pos) & 0xFF;
      int index = b.get(pos + 1) & 0xFF;
      int next = pos + XattrEntry.entryLen(nameLen);
      if (next + 4 > end) {
        throw bad("attribute entry at offset " + pos + " runs past the end of the area");
      }
      if (nameLen == 0) {
        // allowed only for the ACL names, whose index is the whole name
        if (index != 2 && index != 3) {
          throw bad("attribute entry at offset " + pos + " has an empty name");
        }
      }
      pos = next;
      out.add(readEntry(b, pos - XattrEntry.entryLen(nameLen), nameLen, index));
    }
    int tableEnd = pos + 4;
    List<XattrEntry> checked = new ArrayList<>(out.size());
    int entryPos = entriesStart;
    for (XattrEntry e : out) {
      checked.add(withValue(b, entryPos, e, valueBase, tableEnd, end));
      entryPos += XattrEntry.entryLen(e.name().length);
    }
    return checked;
  }

  private static XattrEntry readEntry(ByteBuffer b, int pos, int nameLen, int index) {
    byte[] name = new byte[nameLen];
    b.get(pos + XattrEntry.HEADER, name);
    return new XattrEntry(index, name, new byte[0]);
  }

  private static XattrEntry withValue(
      ByteBuffer b, int pos, XattrEntry e, int valueBase, int tableEnd, int end)
      throws CorruptFilesystemException {
    int offs = Short.toUnsignedInt(b.getShort(pos + 2));
    long valueInum = Integer.toUnsignedLong(b.getInt(pos + 4));
    long size = Integer.toUnsignedLong(b.getInt(pos + 8));
    if (valueInum != 0) {
      throw bad(
          "attribute "
              + e
              + " keeps its value in inode "
              + valueInum
              + " (ea_inode), which this driver does not read");
    }
    if (size == 0) {
      return e;
    }
    long start = (long) valueBase + offs;
    if ((offs & 3) != 0 || start < tableEnd || start + size > end) {
      throw bad(
          "attribute "
              + e
              + ": value at offset "
              + offs
              + " of "
              + size
              + " bytes lies outside its area");
    }
    byte[] value = new byte[(int) size];
    b.get((int) start, value);
    return new XattrEntry(e.index(), e.name(), value);
  }

  /** The bytes {@code entries} take: the entry table with its terminator, and the values. */
  public static int needed(List<XattrEntry> entries) {
    int n = 4;
    for (XattrEntry e : entries) {
      n += e.footprint();
    }
    return n;
  }

  /**
   * Writes {@code entries} (already in the kernel's order) into the area, zeroing it first; values
   * are placed from {@code end} down in entry order. Each entry gets its hash. The caller checked
   * {@link #needed} fits between {@code entriesStart} and {@code end}.
   *
   * @return the entry hashes, in order
   */
  public static int[] write(
      ByteBuffer area, int entriesStart, int valueBase, int end, List<XattrEntry> entries) {
    ByteBuffer b = area.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = entriesStart; i < end; i++) {
      b.put(i, (byte) 0);
    }
    int[] hashes = new int[entries.size()];
    int pos = entriesStart;
    int valueEnd = end;
    for (int i = 0; i < entries.size(); i++) {
      XattrEntry e = entries.get(i);
      int offs = 0;
      if (e.value().length > 0) {
        valueEnd -= XattrEntry.valueLen(e.value().length);
        b.put(valueEnd, e.value());
        offs = valueEnd - valueBase;
      }
      hashes[i] = e.hash();
      b.put(pos, (byte) e.name().length);
      b.put(pos + 1, (byte) e.index());
      b.putShort(pos + 2, (short) offs);
      b.putInt(pos + 4, 0);
      b.putInt(pos + 8, e.value().length);
      b.putInt(pos + 12, hashes[i]);
      b.put(pos + XattrEntry.HEADER, e.name());
      pos += XattrEntry.entryLen(e.name().length);
    }
    assert pos + 4 <= valueEnd : "attribute area overflow";
    return hashes;
  }

  private static CorruptFilesystemException bad(String message) {
    return new CorruptFilesystemException(message, -1, -1);
  }
}
