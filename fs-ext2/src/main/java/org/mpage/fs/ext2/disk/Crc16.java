// lib/crc16.c: crc16, the CRC-16 (polynomial 0x8005, bit-reflected) of the uninit_bg descriptors
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;

/**
 * The kernel's {@code crc16()}: a bit-reflected CRC-16 with polynomial {@code x^16 + x^15 + x^2 +
 * 1}, which takes and returns the raw register (no inversion), like {@link Ext4Chksum}. Used only
 * by the group descriptor checksum of {@code gdt_csum} (uninit_bg) without {@code metadata_csum}.
 */
public final class Crc16 {
  private static final int[] TABLE = table();

  private Crc16() {}

  private static int[] table() {
    int[] t = new int[256];
    for (int i = 0; i < 256; i++) {
      int r = i;
      for (int k = 0; k < 8; k++) {
        r = (r & 1) != 0 ? (r >>> 1) ^ 0xA001 : r >>> 1;
      }
      t[i] = r;
    }
    return t;
  }

  /**
   * The register after {@code len} bytes of {@code b} from {@code off}, starting at {@code crc}.
   */
  public static int update(int crc, ByteBuffer b, int off, int len) {
    int r = crc & 0xFFFF;
    for (int i = off; i < off + len; i++) {
      r = (r >>> 8) ^ TABLE[(r ^ b.get(i)) & 0xFF];
    }
    return r;
  }

  /** As above over a whole array. */
  public static int update(int crc, byte[] b) {
    return update(crc, ByteBuffer.wrap(b), 0, b.length);
  }
}
