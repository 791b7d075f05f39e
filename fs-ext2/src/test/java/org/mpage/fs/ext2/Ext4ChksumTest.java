package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.mpage.fs.ext2.disk.Crc16;
import org.mpage.fs.ext2.disk.Ext4Chksum;

/**
 * The kernel's crc32c convention (raw seed in, raw register out) against a bit-at-a-time reference,
 * and the relation to {@link CRC32C}'s finalised value; crc16 likewise.
 */
class Ext4ChksumTest {
  /** The kernel's crc32c_le, one bit at a time: no inversion in or out. */
  private static int referenceCrc32c(int crc, byte[] data) {
    for (byte x : data) {
      crc ^= x & 0xFF;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
      }
    }
    return crc;
  }

  private static int referenceCrc16(int crc, byte[] data) {
    for (byte x : data) {
      crc ^= x & 0xFF;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
      }
    }
    return crc & 0xFFFF;
  }

  @Test
  void knownVectors() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    CRC32C jdk = new CRC32C();
    jdk.update(check);
    assertEquals(0xE3069283L, jdk.getValue()); // the published CRC-32C check value
    // From ~0 the kernel's raw register is the JDK's value inverted.
    assertEquals(~0xE3069283, Ext4Chksum.from(~0).update(check).value());
    assertEquals(~0xE3069283, referenceCrc32c(~0, check));
    assertEquals(0xBB3D, Crc16.update(0, check)); // CRC-16/ARC check value
  }

  @Test
  void anySeedMatchesTheReference() {
    long seed = new Random().nextLong();
    System.out.println("Ext4ChksumTest seed " + seed);
    Random r = new Random(seed);
    for (int i = 0; i < 2000; i++) {
      int s = i < 4 ? new int[] {0, ~0, 1, 0x80000000}[i] : r.nextInt();
      byte[] a = new byte[r.nextInt(70)];
      byte[] b = new byte[r.nextInt(70)];
      r.nextBytes(a);
      r.nextBytes(b);
      int chained = Ext4Chksum.from(s).update(a).update(ByteBuffer.wrap(b), 0, b.length).value();
      assertEquals(referenceCrc32c(referenceCrc32c(s, a), b), chained, "seed " + s);
      // Chaining through the returned register is the same as one pass.
      assertEquals(
          chained,
          Ext4Chksum.of(Ext4Chksum.from(s).update(a).value(), ByteBuffer.wrap(b), 0, b.length));
      assertEquals(referenceCrc16(s & 0xFFFF, a), Crc16.update(s, a));
    }
  }

  @Test
  void le32AndZerosAreTheirBytes() {
    assertEquals(
        referenceCrc32c(7, new byte[] {0x78, 0x56, 0x34, 0x12, 0, 0, 0}),
        Ext4Chksum.from(7).updateLe32(0x12345678).zeros(3).value());
  }
}
