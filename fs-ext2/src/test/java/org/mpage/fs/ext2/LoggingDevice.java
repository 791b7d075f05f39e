package org.mpage.fs.ext2;

import java.util.ArrayList;
import java.util.List;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.DiskStats;

/** Passes BIOs to a real device and logs each as {@code OP@sector:bytes}; no plug merging. */
final class LoggingDevice implements BlockDevice {
  private final BlockDevice inner;
  private final List<String> log = new ArrayList<>();
  private final List<long[]> reads = new ArrayList<>();

  LoggingDevice(BlockDevice inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public long capacitySectors() {
    return inner.capacitySectors();
  }

  @Override
  public boolean noMerges() {
    return true;
  }

  @Override
  public void submit(Bio bio) {
    synchronized (log) {
      log.add(bio.op() + "@" + bio.sector() + ":" + bio.size());
      if (bio.op() == org.mpage.api.block.BioOp.READ) {
        reads.add(new long[] {bio.sector(), bio.size()});
      }
    }
    inner.submit(bio);
  }

  @Override
  public DiskStats stats() {
    return inner.stats();
  }

  @Override
  public void close() {
    inner.close();
  }

  List<String> log() {
    synchronized (log) {
      return new ArrayList<>(log);
    }
  }

  /** Reads as {sector, bytes}. */
  List<long[]> reads() {
    synchronized (log) {
      return new ArrayList<>(reads);
    }
  }

  void clear() {
    synchronized (log) {
      log.clear();
      reads.clear();
    }
  }
}
