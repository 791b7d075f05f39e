package org.mpage.jmx;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mpage in the platform MBean server, where JConsole, VisualVM and Karaf's JMX look: an immediate
 * component without a service of its own that follows the {@link Mounts}, {@link StorageEngine} and
 * {@link BlockDevice} services (all optional and dynamic, so it starts before them and outlives
 * them) and keeps an {@link MBeanExporter} up to date: at once (on its own thread) when a service
 * comes or goes, and every {@code refresh.ms} for the mounts, which come and go without a service
 * event. Configured through PID {@code org.mpage.jmx}.
 */
@Component(
    service = {},
    immediate = true,
    configurationPid = JmxComponent.PID)
@Designate(ocd = JmxComponent.Config.class)
public final class JmxComponent implements Sources {
  static final String PID = "org.mpage.jmx";
  private static final Logger LOG = LoggerFactory.getLogger(JmxComponent.class);

  /** The exporter's tunables. */
  @ObjectClassDefinition(name = "mpage JMX", description = "mpage's MBeans (domain org.mpage)")
  public @interface Config {
    @AttributeDefinition(
        name = "Refresh",
        description =
            "How often mounts are looked for, milliseconds (services are followed at once)")
    long refresh_ms() default 1000;
  }

  private final AtomicReference<Mounts> mounts = new AtomicReference<>();
  private final AtomicReference<StorageEngine> engine = new AtomicReference<>();
  private final Map<BlockDevice, Backend> backends = new ConcurrentHashMap<>();
  private final ScheduledExecutorService refresher;
  private final MBeanExporter exporter;

  @Activate
  public JmxComponent(Config config) {
    if (config.refresh_ms() <= 0) {
      throw new IllegalArgumentException("refresh.ms must be positive: " + config.refresh_ms());
    }
    this.exporter = new MBeanExporter(ManagementFactory.getPlatformMBeanServer(), this);
    this.refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mpage-jmx");
              t.setDaemon(true);
              return t;
            });
    // refresh() never throws, so the periodic task's future has nothing to report.
    var unused =
        refresher.scheduleWithFixedDelay(
            this::refresh, 0, config.refresh_ms(), TimeUnit.MILLISECONDS);
  }

  @Deactivate
  void deactivate() throws InterruptedException {
    refresher.shutdownNow();
    if (!refresher.awaitTermination(10, TimeUnit.SECONDS)) {
      LOG.warn("the mpage-jmx refresher did not stop within 10 s");
    }
    exporter.close();
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindMounts(Mounts m) {
    mounts.set(m);
    refreshSoon();
  }

  void unbindMounts(Mounts m) {
    mounts.compareAndSet(m, null);
    refreshSoon();
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindEngine(StorageEngine e) {
    engine.set(e);
    refreshSoon();
  }

  void unbindEngine(StorageEngine e) {
    engine.compareAndSet(e, null);
    refreshSoon();
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindDevice(BlockDevice device, Map<String, Object> properties) {
    int ranking = properties.get("service.ranking") instanceof Integer i ? i : 0;
    String description =
        properties.getOrDefault("component.name", device.getClass().getName())
            + " (service "
            + properties.get("service.id")
            + ", ranking "
            + ranking
            + ")";
    backends.put(device, new Backend(device, ranking, description));
    refreshSoon();
  }

  void unbindDevice(BlockDevice device) {
    backends.remove(device);
    refreshSoon();
  }

  @Override
  public Mounts mounts() {
    return mounts.get();
  }

  @Override
  public StorageEngine engine() {
    return engine.get();
  }

  @Override
  public List<Backend> backends() {
    List<Backend> out = new ArrayList<>(backends.values());
    out.sort(
        Comparator.comparing((Backend b) -> b.device().name())
            .thenComparing(Backend::ranking, Comparator.reverseOrder()));
    return out;
  }

  private void refreshSoon() {
    try {
      refresher.execute(this::refresh);
    } catch (RejectedExecutionException e) {
      // deactivating: the exporter is being closed
    }
  }

  /** Never throws: a periodic task that threw would never run again. */
  private void refresh() {
    try {
      exporter.refresh();
    } catch (RuntimeException e) {
      LOG.warn("refreshing mpage's MBeans: {}", e.toString());
    }
  }
}
