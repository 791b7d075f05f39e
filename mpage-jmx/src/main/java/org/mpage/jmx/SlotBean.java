package org.mpage.jmx;

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
  public String toString() {
    return "Slot " + name;
  }
}
