package org.mpage.fs.ext2;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Run in a separate JVM by {@link Ext2DurabilityTest}: writes and fsyncs small files, announcing
 * each on stdout, then starts a large copy that never finishes because the test kills the process.
 */
public final class DurabilityWriter {
  private DurabilityWriter() {}

  static byte[] content(int i) {
    byte[] b = new byte[100_000 + i * 1000];
    for (int k = 0; k < b.length; k++) {
      b[k] = (byte) (k * 31 + i);
    }
    return b;
  }

  public static void main(String[] args) throws Exception {
    Path image = Path.of(args[0]);
    Mounted m =
        Mounted.on(FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false);
    for (int i = 0; i < 8; i++) {
      try (FileHandle f = m.fs.openWrite("/synced-" + i, true, true, 0644)) {
        f.write(0, ByteBuffer.wrap(content(i)));
        f.fsync();
      }
      System.out.println("SYNCED " + i);
      System.out.flush();
    }
    FileHandle big = m.fs.openWrite("/big", true, true, 0644);
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
    System.out.println("COPYING");
    System.out.flush();
    for (long pos = 0; ; pos = (pos + chunk.capacity()) % (40L << 20)) {
      big.write(pos, chunk.clear());
    }
  }
}
