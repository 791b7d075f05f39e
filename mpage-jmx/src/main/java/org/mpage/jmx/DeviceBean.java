package org.mpage.jmx;

import org.mpage.api.block.DiskStats;
import org.mpage.api.fs.DeviceInfo;

/** {@link DeviceMXBean} over the exporter's view of one device name. */
final class DeviceBean implements DeviceMXBean {
  private final MBeanExporter exporter;
  private final String name;

  DeviceBean(MBeanExporter exporter, String name) {
    this.exporter = exporter;
    this.name = name;
  }

  private DeviceInfo info() {
    return exporter.device(name);
  }

  private DiskStats stats() {
    return info().stats();
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public long getCapacitySectors() {
    return info().capacitySectors();
  }

  @Override
  public int getBackends() {
    return info().backends();
  }

  @Override
  public long getReadsCompleted() {
    return stats().readsCompleted();
  }

  @Override
  public long getReadsMerged() {
    return stats().readsMerged();
  }

  @Override
  public long getSectorsRead() {
    return stats().sectorsRead();
  }

  @Override
  public long getReadTimeMs() {
    return stats().readTimeMs();
  }

  @Override
  public long getWritesCompleted() {
    return stats().writesCompleted();
  }

  @Override
  public long getWritesMerged() {
    return stats().writesMerged();
  }

  @Override
  public long getSectorsWritten() {
    return stats().sectorsWritten();
  }

  @Override
  public long getWriteTimeMs() {
    return stats().writeTimeMs();
  }

  @Override
  public long getInFlight() {
    return stats().inFlight();
  }

  @Override
  public long getQueueTimeMs() {
    return stats().queueTimeMs();
  }

  @Override
  public long getFlushesCompleted() {
    return stats().flushesCompleted();
  }

  @Override
  public String getDiskstats() {
    return stats().format(name);
  }

  @Override
  public String toString() {
    return "Device " + name;
  }
}
