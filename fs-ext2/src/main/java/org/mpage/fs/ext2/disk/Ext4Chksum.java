// fs/ext4/ext4.h: ext4_chksum, the kernel's crc32c over java.util.zip.CRC32C
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C as ext4 chains it: the caller's value is the raw CRC register to start from, and the
 * result is the raw register after the data, neither inverted. {@link CRC32C} instead always starts
 * its register at {@code 0xFFFFFFFF} and returns the register inverted.
 *
 * <p>The mapping: the register after some bytes is {@code ~getValue()}, so a chain that starts from
 * {@code ~0} (as ext4 does for the UUID and the superblock) is {@code ~getValue()} of the
 * concatenated bytes. To start from any other register {@code s} (a stored {@code
 * s_checksum_seed}), four primer bytes are fed first that carry the register from {@code
 * 0xFFFFFFFF} to {@code s}: feeding a little-endian word {@code x} to register {@code r} leaves
 * {@code T(r ^ x)}, where {@code T} is 32 shift steps of the reflected CRC, and {@code T} is
 * invertible (the reflected polynomial has its top bit set, so the top bit after a step tells
 * whether the polynomial was folded in). Hence {@code x = T⁻¹(s) ^ 0xFFFFFFFF}.
 *
 * <p>One object is one chain: {@code Ext4Chksum.from(seed).update(a).update(b).value()} is the
 * kernel's {@code ext4_chksum(ext4_chksum(seed, a), b)}.
 */
public final class Ext4Chksum {
  /** The Castagnoli polynomial, bit-reflected. */
  private static final int POLY = 0x82F63B78;

  private final CRC32C crc = new CRC32C();

  private Ext4Chksum() {}

  /** A chain whose register starts at {@code seed} (the kernel's first argument). */
  public static Ext4Chksum from(int seed) {
    Ext4Chksum c = new Ext4Chksum();
    if (seed != ~0) {
      int x = unshift32(seed) ^ ~0;
      c.crc.update(new byte[] {(byte) x, (byte) (x >>> 8), (byte) (x >>> 16), (byte) (x >>> 24)});
    }
    return c;
  }

  /** {@code T⁻¹}: the register that 32 zero-bit steps turn into {@code r}. */
  private static int unshift32(int r) {
    for (int i = 0; i < 32; i++) {
      r = r < 0 ? ((r ^ POLY) << 1) | 1 : r << 1;
    }
    return r;
  }

  /** Feeds {@code len} bytes of {@code b} from {@code off}; {@code b}'s position is untouched. */
  public Ext4Chksum update(ByteBuffer b, int off, int len) {
    crc.update(b.duplicate().limit(off + len).position(off));
    return this;
  }

  /** Feeds a whole array. */
  public Ext4Chksum update(byte[] b) {
    crc.update(b);
    return this;
  }

  /** Feeds a 32-bit value as its four little-endian bytes (a {@code __le32} on disk). */
  public Ext4Chksum updateLe32(int v) {
    crc.update(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    return this;
  }

  /** Feeds {@code n} zero bytes: a checksum field counted as zero. */
  public Ext4Chksum zeros(int n) {
    crc.update(new byte[n]);
    return this;
  }

  /** The raw register: what the kernel's ext4_chksum returns. */
  public int value() {
    return ~(int) crc.getValue();
  }

  /** {@code ext4_chksum(seed, b[off, off+len))} in one call. */
  public static int of(int seed, ByteBuffer b, int off, int len) {
    return from(seed).update(b, off, len).value();
  }
}
