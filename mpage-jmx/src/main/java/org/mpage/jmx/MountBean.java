package org.mpage.jmx;

import java.io.IOException;
import org.mpage.api.fs.FsInfo;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.Mounts;

/**
 * {@link MountMXBean} over the mount table's entry for one device. Once unmounted (before the next
 * refresh removes the bean) it reads as empty strings and -1.
 */
final class MountBean implements MountMXBean {
  private final MBeanExporter exporter;
  private final String device;

  MountBean(MBeanExporter exporter, String device) {
    this.exporter = exporter;
    this.device = device;
  }

  private MountInfo mount() {
    Mounts mounts = exporter.mounts();
    if (mounts != null) {
      for (MountInfo m : mounts.mounts()) {
        if (m.device().equals(device)) {
          return m;
        }
      }
    }
    return null;
  }

  private FsInfo info() {
    Mounts mounts = exporter.mounts();
    if (mounts == null) {
      return null;
    }
    try {
      return mounts.fileSystem(device).info();
    } catch (IOException | RuntimeException e) {
      return null; // unmounted meanwhile
    }
  }

  @Override
  public String getDevice() {
    return device;
  }

  @Override
  public String getType() {
    MountInfo m = mount();
    return m == null ? "" : m.type();
  }

  @Override
  public String getMode() {
    MountInfo m = mount();
    return m == null ? "" : m.readOnly() ? "ro" : "rw";
  }

  @Override
  public String getIdentity() {
    MountInfo m = mount();
    return m == null ? "" : m.identity();
  }

  @Override
  public int getBlockSize() {
    FsInfo i = info();
    return i == null ? -1 : i.blockSize();
  }

  @Override
  public long getBlocksCount() {
    FsInfo i = info();
    return i == null ? -1 : i.blocksCount();
  }

  @Override
  public long getFreeBlocks() {
    FsInfo i = info();
    return i == null ? -1 : i.freeBlocks();
  }

  @Override
  public long getInodesCount() {
    FsInfo i = info();
    return i == null ? -1 : i.inodesCount();
  }

  @Override
  public long getFreeInodes() {
    FsInfo i = info();
    return i == null ? -1 : i.freeInodes();
  }

  @Override
  public String getFsState() {
    FsInfo i = info();
    return i == null ? "" : i.state();
  }

  @Override
  public long getCacheHits() {
    return exporter.poolStatistics(device).getOrDefault("cache.hits", 0L);
  }

  @Override
  public long getCacheMisses() {
    return exporter.poolStatistics(device).getOrDefault("cache.misses", 0L);
  }

  @Override
  public String toString() {
    return "Mount " + device;
  }
}
