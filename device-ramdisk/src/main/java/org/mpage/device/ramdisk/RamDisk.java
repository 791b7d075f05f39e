package org.mpage.device.ramdisk;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.block.DiskStatsCounter;
import org.mpage.api.page.Folio;

/**
 * A sparse RAM disk, like Linux's {@code brd}: 4 KiB pages allocated on first write, zeros read
 * everywhere else. BIOs complete synchronously on the submitting thread, and the synchronous {@code
 * rw_page} path is offered as brd did until 6.3.
 *
 * <p>Thread-safe. Each backing page is its own lock, so concurrent I/O to different pages does not
 * contend. Closing fails later I/O with {@link BlockStatus#NODEV} and frees the memory.
 */
public final class RamDisk implements BlockDevice, AutoCloseable {
  private static final int PAGE = 4096;
  private static final byte[] ZERO_PAGE = new byte[PAGE];

  private final String name;
  private final long capacitySectors;
  private final ConcurrentHashMap<Long, byte[]> pages = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private final DiskStatsCounter counters = new DiskStatsCounter();

  /**
   * @param name device name
   * @param sizeBytes capacity; a positive multiple of 512
   */
  public RamDisk(String name, long sizeBytes) {
    if (sizeBytes <= 0 || sizeBytes % SECTOR_SIZE != 0) {
      throw new IllegalArgumentException(
          "RAM disk size must be a positive multiple of 512 bytes: " + sizeBytes);
    }
    this.name = name;
    this.capacitySectors = sizeBytes / SECTOR_SIZE;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long capacitySectors() {
    return capacitySectors;
  }

  /** Bytes of memory holding data (pages written at least once). */
  public long allocatedBytes() {
    return (long) pages.size() * PAGE;
  }

  @Override
  public void submit(Bio bio) {
    counters.start();
    long t0 = System.nanoTime();
    BlockStatus status;
    try {
      status = execute(bio);
    } finally {
      counters.finish();
    }
    counters.completed(bio.op(), bio.sectors(), System.nanoTime() - t0);
    bio.endio(status);
  }

  private BlockStatus execute(Bio bio) {
    if (closed) {
      return BlockStatus.NODEV;
    }
    if (bio.op() == BioOp.FLUSH) {
      return BlockStatus.OK; // memory is as durable as it gets
    }
    if (bio.sector() + bio.sectors() > capacitySectors) {
      return BlockStatus.IOERR;
    }
    long byteOffset = bio.sector() * SECTOR_SIZE;
    for (BioVec vec : bio.segments()) {
      copy(bio.op(), byteOffset, vec.buffer());
      byteOffset += vec.length();
    }
    return BlockStatus.OK;
  }

  /** Moves {@code buf.remaining()} bytes between {@code buf} and the disk at {@code byteOffset}. */
  private void copy(BioOp op, long byteOffset, ByteBuffer buf) {
    while (buf.hasRemaining()) {
      long pageIndex = byteOffset / PAGE;
      int inPage = (int) (byteOffset % PAGE);
      int n = Math.min(PAGE - inPage, buf.remaining());
      if (op == BioOp.WRITE) {
        byte[] page = pages.computeIfAbsent(pageIndex, k -> new byte[PAGE]);
        synchronized (page) {
          buf.get(page, inPage, n);
        }
      } else {
        byte[] page = pages.get(pageIndex);
        if (page == null) {
          buf.put(ZERO_PAGE, 0, n);
        } else {
          synchronized (page) {
            buf.put(page, inPage, n);
          }
        }
      }
      byteOffset += n;
    }
  }

  @Override
  public boolean hasRwPage() {
    return true;
  }

  /** brd's {@code rw_page}: one whole page, synchronously. */
  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    if (op == BioOp.FLUSH) {
      return BlockStatus.NOTSUPP;
    }
    if (closed) {
      return BlockStatus.NODEV;
    }
    if (sector < 0 || sector + PAGE / SECTOR_SIZE > capacitySectors) {
      return BlockStatus.IOERR;
    }
    long t0 = System.nanoTime();
    copy(op, sector * SECTOR_SIZE, folio.memory());
    counters.completed(op, PAGE / SECTOR_SIZE, System.nanoTime() - t0);
    return BlockStatus.OK;
  }

  @Override
  public DiskStats stats() {
    return counters.snapshot();
  }

  /** Makes later I/O fail with NODEV and drops the data. */
  @Override
  public void close() {
    closed = true;
    pages.clear();
  }

  @Override
  public String toString() {
    return "RamDisk{" + name + ", " + capacitySectors + " sectors}";
  }
}
