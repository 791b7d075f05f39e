// include/linux/jbd2.h (jbd2_chksum) and lib/crc32.c (crc32_be): the journal's two checksums
package org.mpage.fs.ext2.jbd2;

import java.util.zip.CRC32C;

/**
 * The checksums a journal carries. Checksum v2 and v3 journals use CRC32C seeded with the CRC32C of
 * the journal's UUID; the old compat "journal_checksum" (v1) sums a transaction's descriptor and
 * data blocks with a big-endian CRC32 into its commit block.
 *
 * <p>The kernel's {@code crc32c(seed, ...)} carries the raw register, without the final inversion
 * the JDK's {@link CRC32C} applies. A seed that is itself the CRC32C of something started at ~0
 * (the UUID) is the same as one JDK checksum over that something followed by the data; the result
 * is then the JDK's value inverted.
 */
final class Jbd2Checksum {
  private static final int[] BE_TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int c = i << 24;
      for (int k = 0; k < 8; k++) {
        c = (c & 0x8000_0000) != 0 ? (c << 1) ^ 0x04C1_1DB7 : c << 1;
      }
      BE_TABLE[i] = c;
    }
  }

  private Jbd2Checksum() {}

  /**
   * The kernel's {@code jbd2_chksum(j_csum_seed, ...)} over the parts in order, with the four bytes
   * at {@code zeroAt} of the last part read as zero (the checksum field itself); -1: none.
   */
  static int seeded(byte[] uuid, byte[] last, int zeroAt, byte[]... before) {
    CRC32C crc = new CRC32C();
    crc.update(uuid);
    for (byte[] part : before) {
      crc.update(part);
    }
    updateZeroing(crc, last, zeroAt);
    return ~(int) crc.getValue();
  }

  /** {@code jbd2_chksum(~0, block)} with the four bytes at {@code zeroAt} read as zero. */
  static int unseeded(byte[] block, int zeroAt) {
    CRC32C crc = new CRC32C();
    updateZeroing(crc, block, zeroAt);
    return ~(int) crc.getValue();
  }

  private static void updateZeroing(CRC32C crc, byte[] data, int zeroAt) {
    if (zeroAt < 0) {
      crc.update(data);
      return;
    }
    crc.update(data, 0, zeroAt);
    crc.update(new byte[4]);
    crc.update(data, zeroAt + 4, data.length - zeroAt - 4);
  }

  /** The kernel's {@code crc32_be(crc, data)}: MSB-first CRC32, no inversion at either end. */
  static int crc32Be(int crc, byte[] data) {
    int c = crc;
    for (byte b : data) {
      c = (c << 8) ^ BE_TABLE[((c >>> 24) ^ b) & 0xff];
    }
    return c;
  }
}
