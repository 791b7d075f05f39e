package org.mpage.jmx;

/**
 * One device name's counters, as a {@code /proc/diskstats} line names them ({@code
 * org.mpage:type=Device,name=NAME}). They are the backend's in use under a mount (through its swap
 * slot), otherwise the best backend on offer for the name; each attribute is read when asked. Times
 * are milliseconds, sizes 512-byte sectors.
 */
public interface DeviceMXBean {
  /** The {@code device.name}. */
  String getName();

  /** The size in 512-byte sectors. */
  long getCapacitySectors();

  /** Backends offering this name now (more than one while a replacement waits its turn). */
  int getBackends();

  /** Field 1 of diskstats: reads completed. */
  long getReadsCompleted();

  /** Field 2: reads merged (merging happens in the engine's plug, so backends report 0). */
  long getReadsMerged();

  /** Field 3: sectors read. */
  long getSectorsRead();

  /** Field 4: milliseconds spent reading. */
  long getReadTimeMs();

  /** Field 5: writes completed. */
  long getWritesCompleted();

  /** Field 6: writes merged. */
  long getWritesMerged();

  /** Field 7: sectors written. */
  long getSectorsWritten();

  /** Field 8: milliseconds spent writing. */
  long getWriteTimeMs();

  /** Field 9: I/Os in flight now. */
  long getInFlight();

  /** Milliseconds BIOs waited in the backend's queue before a worker took them. */
  long getQueueTimeMs();

  /** Field 15: cache flushes completed. */
  long getFlushesCompleted();

  /** The whole line from one snapshot, as {@code mpage:stat} prints it. */
  String getDiskstats();
}
