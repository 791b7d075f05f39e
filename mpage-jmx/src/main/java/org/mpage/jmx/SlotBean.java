package org.mpage.jmx;

import java.io.IOException;
import org.mpage.api.fs.Mounts;

/** {@link SlotMXBean} over the exporter's view of one device name's slot. */
final class SlotBean implements SlotMXBean {
  private final MBeanExporter exporter;
  private final String name;

  SlotBean(MBeanExporter exporter, String name) {
    this.exporter = exporter;
    this.name = name;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getState() {
    return exporter.device(name).state().name();
  }

  @Override
  public long getSwaps() {
    return exporter.device(name).swaps();
  }

  @Override
  public int getWaitingBios() {
    return exporter.device(name).waitingBios();
  }

  @Override
  public int getBackends() {
    return exporter.device(name).backends();
  }

  @Override
  public String getBackend() {
    return exporter.backend(name);
  }

  @Override
  public void suspend() throws IOException {
    mounts().suspend(name);
  }

  @Override
  public void resume() throws IOException {
    mounts().resume(name);
  }

  private Mounts mounts() throws IOException {
    Mounts m = exporter.mounts();
    if (m == null) {
      throw new IOException(name + ": no mount table");
    }
    return m;
  }

  @Override
  public String toString() {
    return "Slot " + name;
  }
}
