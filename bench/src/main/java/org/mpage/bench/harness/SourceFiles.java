package org.mpage.bench.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The bytes the bench measures with: reproducible pseudo-random contents (so no filesystem or cache
 * can shortcut them, and every run reads the same data), and the checks that what came back is what
 * went in.
 */
final class SourceFiles {
  static final int MIB = 1 << 20;

  private SourceFiles() {}

  /** Writes {@code bytes} of pseudo-random data to {@code file}; returns their CRC-32. */
  static long makeFile(Path file, long bytes) throws IOException {
    CRC32 crc = new CRC32();
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (long pos = 0; pos < bytes; pos += MIB) {
        byte[] b = content((int) (pos / MIB), (int) Math.min(MIB, bytes - pos));
        crc.update(b);
        ch.write(ByteBuffer.wrap(b), pos);
      }
    }
    return crc.getValue();
  }

  /** {@code size} bytes of an xorshift sequence seeded by {@code seed}. */
  static byte[] content(int seed, int size) {
    byte[] b = new byte[size];
    long x = 0x9E3779B97F4A7C15L * (seed + 1);
    for (int i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      b[i] = (byte) x;
    }
    return b;
  }

  /**
   * Fails unless every regular file under {@code expected} has the same bytes in {@code actual}.
   */
  static void verifyTree(Path expected, Path actual) throws IOException {
    try (var s = Files.walk(expected)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Path q = actual.resolve(expected.relativize(p).toString());
        if (!Arrays.equals(Files.readAllBytes(p), Files.readAllBytes(q))) {
          throw new IOException("copy-out differs at " + q);
        }
      }
    }
  }
}
