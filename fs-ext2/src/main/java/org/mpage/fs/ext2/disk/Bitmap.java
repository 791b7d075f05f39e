// include/asm-generic/bitops/le.h: test_bit_le, __set_bit_le, __clear_bit_le
package org.mpage.fs.ext2.disk;

import java.nio.ByteBuffer;

/**
 * The block and inode bitmaps' bit order: bit {@code n} is bit {@code n % 8} of byte {@code n / 8},
 * whatever the host's byte order, so an image reads the same on every machine.
 */
public final class Bitmap {
  private Bitmap() {}

  // ext2_test_bit
  public static boolean testBit(ByteBuffer map, int bit) {
    return (map.get(bit >>> 3) & (1 << (bit & 7))) != 0;
  }

  // ext2_set_bit, ext2_clear_bit
  public static void setBit(ByteBuffer map, int bit, boolean on) {
    int i = bit >>> 3;
    byte v = map.get(i);
    map.put(i, (byte) (on ? v | (1 << (bit & 7)) : v & ~(1 << (bit & 7))));
  }
}
