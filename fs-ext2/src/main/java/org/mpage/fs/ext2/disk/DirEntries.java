// fs/ext2/ext2.h: struct ext2_dir_entry_2; fs/ext2/dir.c: ext2_check_page
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.FileType;

/**
 * Parsing of one directory block: the kernel's {@code ext2_check_page} rules. Each entry is an
 * inode number, a record length, a name length, a file type (with the filetype feature) and the
 * name; records tile the block exactly.
 */
public final class DirEntries {
  /**
   * One raw entry of a directory block. A class, not a record: its name is an array, which a
   * record's equality would compare by reference.
   */
  public static final class Raw {
    private final long ino;
    private final int offset;
    private final int recLen;
    private final byte[] name;
    private final int fileType;

    public Raw(long ino, int offset, int recLen, byte[] name, int fileType) {
      this.ino = ino;
      this.offset = offset;
      this.recLen = recLen;
      this.name = name;
      this.fileType = fileType;
    }

    public long ino() {
      return ino;
    }

    public int offset() {
      return offset;
    }

    public int recLen() {
      return recLen;
    }

    /** The name's bytes; not to be changed. */
    public byte[] name() {
      return name;
    }

    public int fileType() {
      return fileType;
    }
  }

  private DirEntries() {}

  /** {@code EXT2_DIR_REC_LEN}: 8 bytes of header and the name, rounded up to 4. */
  public static int recLen(int nameLen) {
    return (nameLen + 8 + 3) & ~3;
  }

  /**
   * Adds the entries of {@code block} (the directory's block {@code dirBlock}) to {@code out};
   * entries with inode 0 are unused space and skipped.
   */
  public static void parse(
      ByteBuffer block,
      Ext2Superblock sb,
      long dirIno,
      long dirBlock,
      long physBlock,
      List<Raw> out)
      throws CorruptFilesystemException {
    ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int bs = b.remaining();
    boolean fileType = sb.hasIncompat(Ext2Features.INCOMPAT_FILETYPE);
    int offs = 0;
    while (offs <= bs - 12) {
      long ino = Integer.toUnsignedLong(b.getInt(offs));
      int recLen = Short.toUnsignedInt(b.getShort(offs + 4));
      // 65536 does not fit the field: the kernel stores it as 0 for 64 KiB blocks only.
      int nameLen =
          fileType
              ? Byte.toUnsignedInt(b.get(offs + 6))
              : Short.toUnsignedInt(b.getShort(offs + 6));
      int type = fileType ? Byte.toUnsignedInt(b.get(offs + 7)) : 0;
      String where = "directory block " + dirBlock + " offset " + offs;
      if (recLen < recLen(1)) {
        throw new CorruptFilesystemException(
            where + ": rec_len " + recLen + " is smaller than the minimum", dirIno, physBlock);
      }
      if ((recLen & 3) != 0) {
        throw new CorruptFilesystemException(
            where + ": unaligned rec_len " + recLen, dirIno, physBlock);
      }
      if (recLen < recLen(nameLen)) {
        throw new CorruptFilesystemException(
            where + ": rec_len " + recLen + " too small for name_len " + nameLen,
            dirIno,
            physBlock);
      }
      if (offs + recLen > bs) {
        throw new CorruptFilesystemException(
            where + ": directory entry across blocks (rec_len " + recLen + ")", dirIno, physBlock);
      }
      if (ino > sb.inodesCount) {
        throw new CorruptFilesystemException(
            where + ": inode number " + ino + " out of range", dirIno, physBlock);
      }
      if (ino != 0) {
        byte[] name = new byte[nameLen];
        b.get(offs + 8, name);
        out.add(new Raw(ino, offs, recLen, name, type));
      }
      offs += recLen;
    }
    if (offs != bs) {
      throw new CorruptFilesystemException(
          "directory block " + dirBlock + ": entries do not end at the block end",
          dirIno,
          physBlock);
    }
  }

  /**
   * Writes one entry's record at {@code offs} of a directory block. The type byte is written only
   * with the filetype feature: without it, that byte is the high half of a 16-bit name length.
   */
  public static void write(
      ByteBuffer block, int offs, long ino, int recLen, byte[] name, int type, boolean fileType) {
    ByteBuffer b = block.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(offs, (int) ino);
    b.putShort(offs + 4, (short) recLen);
    b.put(offs + 6, (byte) name.length);
    b.put(offs + 7, fileType ? (byte) type : 0);
    b.put(offs + 8, name);
  }

  // ext2_set_de_type (the table ext2_type_by_mode)
  /** The file type code an entry records for a file of type {@code type}. */
  public static int code(FileType type) {
    return switch (type) {
      case REGULAR -> 1;
      case DIRECTORY -> 2;
      case CHAR_DEVICE -> 3;
      case BLOCK_DEVICE -> 4;
      case FIFO -> 5;
      case SOCKET -> 6;
      case SYMLINK -> 7;
      default -> 0;
    };
  }

  /** The directory entry's file type code as a {@link FileType}. */
  public static FileType type(int code) {
    return switch (code) {
      case 1 -> FileType.REGULAR;
      case 2 -> FileType.DIRECTORY;
      case 3 -> FileType.CHAR_DEVICE;
      case 4 -> FileType.BLOCK_DEVICE;
      case 5 -> FileType.FIFO;
      case 6 -> FileType.SOCKET;
      case 7 -> FileType.SYMLINK;
      default -> FileType.UNKNOWN;
    };
  }
}
