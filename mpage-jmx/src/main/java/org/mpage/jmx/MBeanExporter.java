package org.mpage.jmx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one MXBean per device name, swap slot, mount and engine registered in an {@link
 * MBeanServer}, under the domain {@code org.mpage}:
 *
 * <pre>
 *   org.mpage:type=Device,name=ram0    every device name with a backend or a slot
 *   org.mpage:type=Slot,name=ram0      while something is mounted on ram0
 *   org.mpage:type=Mount,name=ram0     the filesystem mounted on ram0
 *   org.mpage:type=Engine,name=engine  while there is an engine
 * </pre>
 *
 * <p>Devices come and go with services, but mounts come and go with calls on the mount table that
 * nobody announces, so {@link #refresh()} compares what should be registered with what is, and is
 * called on every service change and periodically. The beans hold only a name: each attribute is
 * read from {@link Sources} when a client asks, so nothing here is ever stale for longer than a
 * refresh, and a bean whose object has gone reads as zeros until the next refresh removes it.
 *
 * <p>Thread safety: {@link #refresh()} and {@link #close()} are serialized on this object; the
 * beans' getters may run on any thread at any time (the JMX connector's).
 */
final class MBeanExporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MBeanExporter.class);
  static final String DOMAIN = "org.mpage";
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._@+-]+");

  private final MBeanServer server;
  private final Sources sources;
  private final Map<ObjectName, Object> registered = new HashMap<>();
  private boolean closed;

  MBeanExporter(MBeanServer server, Sources sources) {
    this.server = server;
    this.sources = sources;
  }

  /** The name of the {@code type} bean of {@code name} (quoted when it needs to be). */
  static ObjectName objectName(String type, String name) {
    String value = PLAIN.matcher(name).matches() ? name : ObjectName.quote(name);
    try {
      return new ObjectName(DOMAIN + ":type=" + type + ",name=" + value);
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("no object name for " + type + " " + name, e);
    }
  }

  /** Registers the beans that should be there and unregisters those that should not. */
  synchronized void refresh() {
    if (closed) {
      return;
    }
    Map<ObjectName, Supplier<Object>> wanted = new LinkedHashMap<>();
    for (DeviceInfo d : devices()) {
      String n = d.name();
      wanted.put(objectName("Device", n), () -> new DeviceBean(this, n));
      if (d.state() != DeviceInfo.SwapState.UNUSED) {
        wanted.put(objectName("Slot", n), () -> new SlotBean(this, n));
      }
    }
    Mounts mounts = sources.mounts();
    if (mounts != null) {
      for (MountInfo m : mounts.mounts()) {
        String n = m.device();
        wanted.put(objectName("Mount", n), () -> new MountBean(this, n));
      }
    }
    if (sources.engine() != null) {
      wanted.put(objectName("Engine", "engine"), () -> new EngineBean(sources));
    }
    for (ObjectName name : new ArrayList<>(registered.keySet())) {
      if (!wanted.containsKey(name)) {
        unregister(name);
      }
    }
    wanted.forEach(
        (name, bean) -> {
          if (!registered.containsKey(name)) {
            register(name, bean.get());
          }
        });
  }

  /** The names registered now, for tests. */
  synchronized List<ObjectName> registered() {
    List<ObjectName> out = new ArrayList<>(registered.keySet());
    out.sort(null);
    return out;
  }

  /** Unregisters everything; later refreshes do nothing. */
  @Override
  public synchronized void close() {
    closed = true;
    for (ObjectName name : new ArrayList<>(registered.keySet())) {
      unregister(name);
    }
  }

  private void register(ObjectName name, Object bean) {
    try {
      if (server.isRegistered(name)) {
        // Left by an exporter of an earlier life of this bundle that failed to clean up.
        server.unregisterMBean(name);
      }
      server.registerMBean(bean, name);
      registered.put(name, bean);
    } catch (JMException e) {
      LOG.warn("registering {}: {}", name, e.toString());
    }
  }

  private void unregister(ObjectName name) {
    registered.remove(name);
    try {
      server.unregisterMBean(name);
    } catch (JMException e) {
      LOG.debug("unregistering {}: {}", name, e.toString());
    }
  }

  /**
   * Every device name: the mount table's view (which follows a mounted name through swaps), plus
   * the names of backends it does not list (no mount table yet, or it has not seen them yet).
   */
  List<DeviceInfo> devices() {
    List<DeviceInfo> out = new ArrayList<>();
    Mounts mounts = sources.mounts();
    if (mounts != null) {
      out.addAll(mounts.devices());
    }
    Map<String, List<Sources.Backend>> byName = new LinkedHashMap<>();
    for (Sources.Backend b : sources.backends()) {
      byName.computeIfAbsent(b.device().name(), k -> new ArrayList<>()).add(b);
    }
    for (Map.Entry<String, List<Sources.Backend>> e : byName.entrySet()) {
      if (out.stream().noneMatch(d -> d.name().equals(e.getKey()))) {
        BlockDevice best = e.getValue().get(0).device();
        out.add(
            new DeviceInfo(
                e.getKey(),
                e.getValue().size(),
                DeviceInfo.SwapState.UNUSED,
                best.capacitySectors(),
                0,
                0,
                best.stats()));
      }
    }
    return out;
  }

  /** The device {@code name} now, or an all-zero placeholder when it has gone. */
  DeviceInfo device(String name) {
    for (DeviceInfo d : devices()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return new DeviceInfo(name, 0, DeviceInfo.SwapState.UNUSED, 0, 0, 0, null);
  }

  /** The description of the first backend on offer for {@code name}, or empty. */
  String backend(String name) {
    for (Sources.Backend b : sources.backends()) {
      if (b.device().name().equals(name)) {
        return b.description();
      }
    }
    return "";
  }

  /** The mount table now, or null. */
  Mounts mounts() {
    return sources.mounts();
  }

  /** The engine's counters of {@code pool} now (empty without an engine). */
  Map<String, Long> poolStatistics(String pool) {
    StorageEngine engine = sources.engine();
    return engine == null ? Map.of() : engine.statistics(pool);
  }
}
