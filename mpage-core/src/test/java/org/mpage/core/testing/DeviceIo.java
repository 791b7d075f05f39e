package org.mpage.core.testing;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;

/** Direct, synchronous device access for setting up and checking tests, bypassing the cache. */
public final class DeviceIo {
  private DeviceIo() {}

  /** The deterministic content of a disk at byte {@code offset}. */
  public static byte diskByte(long offset) {
    long x = offset * 0x9E3779B97F4A7C15L;
    return (byte) ((x >>> 56) ^ (offset >>> 9));
  }

  /** Fills {@code [offset, offset + length)} of the device with {@link #diskByte}. */
  public static void fillPattern(BlockDevice dev, long offset, long length) throws Exception {
    byte[] buf = new byte[Folio.PAGE_SIZE];
    long pos = offset;
    while (pos < offset + length) {
      int n = (int) Math.min(buf.length, offset + length - pos);
      for (int i = 0; i < n; i++) {
        buf[i] = diskByte(pos + i);
      }
      write(dev, pos, buf, n);
      pos += n;
    }
  }

  /** Writes {@code n} bytes at a sector-aligned {@code offset} (n a multiple of 512). */
  public static void write(BlockDevice dev, long offset, byte[] data, int n) throws Exception {
    io(dev, BioOp.WRITE, offset, data, n);
  }

  /** Reads {@code n} bytes at a sector-aligned {@code offset}. */
  public static byte[] read(BlockDevice dev, long offset, int n) throws Exception {
    byte[] out = new byte[n];
    int done = 0;
    while (done < n) {
      int chunk = Math.min(Folio.PAGE_SIZE, n - done);
      byte[] part = new byte[chunk];
      io(dev, BioOp.READ, offset + done, part, chunk);
      System.arraycopy(part, 0, out, done, chunk);
      done += chunk;
    }
    return out;
  }

  private static void io(BlockDevice dev, BioOp op, long offset, byte[] data, int n)
      throws Exception {
    if (offset % 512 != 0 || n % 512 != 0 || n > Folio.PAGE_SIZE) {
      throw new IllegalArgumentException("unaligned test I/O");
    }
    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE));
    if (op == BioOp.WRITE) {
      page.rawMemory().put(0, data, 0, n);
    }
    Bio bio = new Bio(dev, op, Set.of(), 1);
    bio.setSector(offset / 512);
    bio.addFolio(page, n, 0);
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    BlockStatus status = done.get(10, TimeUnit.SECONDS);
    if (!status.isOk()) {
      throw new IllegalStateException("test I/O failed: " + status);
    }
    if (op == BioOp.READ) {
      page.rawMemory().get(0, data, 0, n);
    }
  }
}
