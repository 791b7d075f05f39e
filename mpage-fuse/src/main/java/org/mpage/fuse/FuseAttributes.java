package org.mpage.fuse;

import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FsInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/** The api's {@code stat} and filesystem figures in the structures libfuse hands the kernel. */
final class FuseAttributes {
  private FuseAttributes() {}

  /** {@code struct stat} from a {@link FileStat}; times are whole seconds on ext2. */
  static int fill(ru.serce.jnrfuse.struct.FileStat st, FileStat s, int blockSize) {
    st.st_mode.set(typeBits(s) | (s.permissions() & 07777));
    st.st_ino.set(s.ino());
    st.st_nlink.set(s.links());
    st.st_uid.set(s.uid());
    st.st_gid.set(s.gid());
    st.st_size.set(s.size());
    st.st_rdev.set(s.rdev());
    st.st_blocks.set(s.blocks());
    st.st_blksize.set(blockSize);
    time(st.st_atim, s.atime());
    time(st.st_mtim, s.mtime());
    time(st.st_ctim, s.ctime());
    return 0;
  }

  /**
   * {@code struct statvfs} from the superblock's counters. The available count is the free count:
   * the api's {@link FsInfo} has no reserved-block figure.
   */
  static int fill(Statvfs st, FsInfo info, boolean readOnly) {
    st.f_bsize.set(info.blockSize());
    st.f_frsize.set(info.blockSize());
    st.f_blocks.set(info.blocksCount());
    st.f_bfree.set(info.freeBlocks());
    st.f_bavail.set(info.freeBlocks());
    st.f_files.set(info.inodesCount());
    st.f_ffree.set(info.freeInodes());
    st.f_favail.set(info.freeInodes());
    st.f_namemax.set(255);
    st.f_flag.set(readOnly ? Statvfs.ST_RDONLY : 0);
    return 0;
  }

  private static void time(Timespec t, long seconds) {
    t.tv_sec.set(seconds);
    t.tv_nsec.set(0);
  }

  private static int typeBits(FileStat s) {
    return switch (s.type()) {
      case REGULAR -> 0100000;
      case DIRECTORY -> 0040000;
      case SYMLINK -> 0120000;
      case CHAR_DEVICE -> 0020000;
      case BLOCK_DEVICE -> 0060000;
      case FIFO -> 0010000;
      case SOCKET -> 0140000;
      case UNKNOWN -> 0;
    };
  }
}
