package org.mpage.api.page;

/**
 * What one writeback pass should do and how much of it is left: the kernel's {@code struct
 * writeback_control}. Mutable and used by one thread: the walk decrements {@link #nrToWrite()}.
 */
public final class WritebackControl {
  private long nrToWrite;
  private final SyncMode syncMode;
  private long rangeStart;
  private long rangeEnd = Long.MAX_VALUE;
  private boolean rangeCyclic;
  private boolean taggedWritepages;

  public WritebackControl(SyncMode syncMode, long nrToWrite) {
    this.syncMode = syncMode;
    this.nrToWrite = nrToWrite;
  }

  /** Data-integrity writeback of the whole file, as fsync starts it. */
  public static WritebackControl syncAll() {
    return new WritebackControl(SyncMode.ALL, Long.MAX_VALUE);
  }

  /** Background writeback of at most {@code pages} pages, continuing where the last pass ended. */
  public static WritebackControl background(long pages) {
    WritebackControl wbc = new WritebackControl(SyncMode.NONE, pages);
    wbc.rangeCyclic = true;
    return wbc;
  }

  public SyncMode syncMode() {
    return syncMode;
  }

  /** Pages still to write; the walk stops at 0 under {@link SyncMode#NONE}. */
  public long nrToWrite() {
    return nrToWrite;
  }

  public void setNrToWrite(long nrToWrite) {
    this.nrToWrite = nrToWrite;
  }

  /** First byte of the range to write (ignored when {@link #rangeCyclic()}). */
  public long rangeStart() {
    return rangeStart;
  }

  /** Last byte of the range, inclusive. */
  public long rangeEnd() {
    return rangeEnd;
  }

  /** Sets the byte range {@code [start, end]}. */
  public WritebackControl range(long start, long end) {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad writeback range [" + start + ", " + end + "]");
    }
    this.rangeStart = start;
    this.rangeEnd = end;
    return this;
  }

  /** Start at the mapping's writeback index and go on from where the previous pass stopped. */
  public boolean rangeCyclic() {
    return rangeCyclic;
  }

  public WritebackControl setRangeCyclic(boolean rangeCyclic) {
    this.rangeCyclic = rangeCyclic;
    return this;
  }

  /** Tag the dirty pages first even under {@link SyncMode#NONE} (livelock avoidance). */
  public boolean taggedWritepages() {
    return taggedWritepages;
  }

  public WritebackControl setTaggedWritepages(boolean tagged) {
    this.taggedWritepages = tagged;
    return this;
  }

  @Override
  public String toString() {
    return "WritebackControl{"
        + syncMode
        + " nrToWrite="
        + nrToWrite
        + " range=["
        + rangeStart
        + ","
        + rangeEnd
        + "] cyclic="
        + rangeCyclic
        + "}";
  }
}
