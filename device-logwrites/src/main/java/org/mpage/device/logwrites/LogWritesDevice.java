package org.mpage.device.logwrites;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.page.Folio;

/**
 * A device stacked on a lower one that logs every write, like device-mapper's {@code log-writes}
 * target: each write BIO's data is copied when it is submitted and logged, with its flags, when the
 * lower device completes it, so the log is in completion order. Flush BIOs, and writes with {@link
 * BioFlag#PREFLUSH} or {@link BioFlag#FUA}, add a mark when they complete; {@link #log()} replays
 * the device as it was at any mark.
 *
 * <p>A flush guarantees only the writes completed before it was issued: each flush and preflush
 * remembers how many writes had been logged at its submission, and its mark makes that many
 * durable. Failed writes and flushes are not logged. Reads pass through untouched.
 *
 * <p>Thread-safe; the log lives in memory ({@link WriteLog#save} writes it to a file).
 */
public final class LogWritesDevice extends ForwardingBlockDevice {
  private final String name;
  private final BlockDevice lower;
  private final boolean ownsLower;
  private final Object lock = new Object();
  private final List<WriteLog.Write> writes = new ArrayList<>();
  private final List<WriteLog.Mark> marks = new ArrayList<>();
  private int durablePrefix;

  /**
   * @param name this device's name
   * @param lower the device written to
   * @param ownsLower whether {@link #close()} closes {@code lower} too
   */
  public LogWritesDevice(String name, BlockDevice lower, boolean ownsLower) {
    this.name = Objects.requireNonNull(name, "name");
    this.lower = Objects.requireNonNull(lower, "lower");
    this.ownsLower = ownsLower;
  }

  @Override
  protected BlockDevice delegate() {
    return lower;
  }

  @Override
  public String name() {
    return name;
  }

  /** The device underneath. */
  public BlockDevice lower() {
    return lower;
  }

  @Override
  public void submit(Bio bio) {
    if (bio.op() == BioOp.READ) {
      lower.submit(bio);
      return;
    }
    // The flush part of a FLUSH or PREFLUSH covers what had completed when it was issued.
    int barrier = -1;
    if (bio.op() == BioOp.FLUSH || bio.hasFlag(BioFlag.PREFLUSH)) {
      synchronized (lock) {
        barrier = writes.size();
      }
    }
    byte[] data = bio.op() == BioOp.WRITE ? copy(bio) : null;
    List<BioVec> segments = bio.segments();
    Bio clone = new Bio(lower, bio.op(), bio.flags(), segments.size());
    clone.setSector(bio.sector());
    for (BioVec v : segments) {
      clone.add(v);
    }
    int issuedBarrier = barrier;
    clone.setEndIo(
        c -> {
          if (c.status().isOk()) {
            completed(bio.op(), bio.sector(), data, bio.flags(), issuedBarrier);
          }
          bio.endio(c.status());
        });
    lower.submit(clone);
  }

  private static byte[] copy(Bio bio) {
    byte[] data = new byte[bio.size()];
    int off = 0;
    for (BioVec v : bio.segments()) {
      v.buffer().get(data, off, v.length());
      off += v.length();
    }
    return data;
  }

  private void completed(BioOp op, long sector, byte[] data, Set<BioFlag> flags, int barrier) {
    synchronized (lock) {
      if (barrier >= 0) {
        durablePrefix = Math.max(durablePrefix, barrier);
        addMark(op == BioOp.FLUSH ? WriteLog.MarkKind.FLUSH : WriteLog.MarkKind.PREFLUSH, "");
      }
      if (op == BioOp.WRITE) {
        writes.add(new WriteLog.Write(writes.size(), sector, data, flags));
        if (flags.contains(BioFlag.FUA)) {
          addMark(WriteLog.MarkKind.FUA, "");
        }
      }
    }
  }

  private void addMark(WriteLog.MarkKind kind, String label) {
    marks.add(new WriteLog.Mark(marks.size(), kind, writes.size(), durablePrefix, label));
  }

  /** The synchronous page path: a page written this way is logged like a one-page write. */
  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    if (op != BioOp.WRITE) {
      return lower.rwPage(op, sector, folio);
    }
    byte[] data = new byte[Folio.PAGE_SIZE];
    ByteBuffer m = folio.memory();
    m.get(data);
    BlockStatus st = lower.rwPage(op, sector, folio);
    if (st.isOk()) {
      completed(op, sector, data, Set.of(), -1);
    }
    return st;
  }

  /** Adds a {@link WriteLog.MarkKind#USER} mark (dm-log-writes' {@code mark} message). */
  public void mark(String label) {
    synchronized (lock) {
      addMark(WriteLog.MarkKind.USER, label);
    }
  }

  /** Marks logged so far. */
  public int markCount() {
    synchronized (lock) {
      return marks.size();
    }
  }

  /** Writes logged so far. */
  public int writeCount() {
    synchronized (lock) {
      return writes.size();
    }
  }

  /** A snapshot of the log. */
  public WriteLog log() {
    synchronized (lock) {
      return new WriteLog(writes, marks);
    }
  }

  /** Closes the lower device if this device owns it; the log stays. */
  @Override
  public void close() {
    if (ownsLower) {
      lower.close();
    }
  }

  @Override
  public String toString() {
    return "log-writes " + name + " on " + lower;
  }
}
