package org.mpage.bench.harness;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.zip.CRC32;

/** A channel that keeps only the CRC-32 of what is written to it: checks a zero-copy read. */
final class CrcChannel implements WritableByteChannel {
  private final CRC32 crc = new CRC32();
  private boolean open = true;

  @Override
  public int write(ByteBuffer src) {
    int n = src.remaining();
    crc.update(src);
    return n;
  }

  long crc() {
    return crc.getValue();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
