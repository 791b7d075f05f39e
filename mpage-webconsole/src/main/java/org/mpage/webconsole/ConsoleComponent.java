package org.mpage.webconsole;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mpage.api.block.BioListener;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
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

/**
 * The page's state, once per bundle whichever servlet API serves it: the ring of BIOs, the capture
 * that fills it while the page polls, and the mount table. Both servlet adapters take their {@link
 * ConsolePage} from here, so that a second adapter could never mean a second ring or a second
 * {@link BioListener}.
 *
 * <p>Configured through PID {@code org.mpage.webconsole}.
 */
@Component(service = ConsoleComponent.class, configurationPid = ConsoleComponent.PID)
@Designate(ocd = ConsoleComponent.Config.class)
public final class ConsoleComponent {
  static final String PID = "org.mpage.webconsole";

  /** The page's tunables. */
  @ObjectClassDefinition(name = "mpage Web Console page", description = "Live I/O picture")
  public @interface Config {
    @AttributeDefinition(name = "Ring size", description = "BIO events kept, all devices")
    int ring_size() default 65536;

    @AttributeDefinition(name = "Window", description = "Seconds of I/O the pictures show")
    int window_seconds() default 10;

    @AttributeDefinition(
        name = "Capture",
        description = "Seconds BIOs are captured after the page last asked for data")
    int capture_seconds() default 30;
  }

  private final Capture capture;
  private final ConsolePage page;
  private final ScheduledExecutorService expiry;
  private final AtomicReference<Mounts> mounts = new AtomicReference<>();
  private final AtomicReference<StorageEngine> engine = new AtomicReference<>();

  @Activate
  public ConsoleComponent(Config config, BundleContext context) {
    if (config.ring_size() <= 0 || config.window_seconds() <= 0 || config.capture_seconds() <= 0) {
      throw new IllegalArgumentException(
          "ring.size, window.seconds and capture.seconds must be positive");
    }
    IoRing ring = new IoRing(config.ring_size());
    this.capture =
        new Capture(
            ring,
            listener -> {
              ServiceRegistration<BioListener> r =
                  context.registerService(BioListener.class, listener, null);
              return r::unregister;
            },
            TimeUnit.SECONDS.toNanos(config.capture_seconds()));
    this.page =
        new ConsolePage(
            mounts::get,
            ring,
            capture,
            TimeUnit.SECONDS.toNanos(config.window_seconds()),
            System::nanoTime,
            pool -> {
              StorageEngine e = engine.get();
              return e == null ? Map.of() : e.statistics(pool);
            });
    this.expiry =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mpage-webconsole-capture");
              t.setDaemon(true);
              return t;
            });
    // expire() never throws, so the periodic task's future has nothing to report.
    var unused =
        expiry.scheduleWithFixedDelay(
            () -> capture.expire(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
  }

  @Deactivate
  void deactivate() {
    expiry.shutdownNow();
    capture.close();
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindMounts(Mounts m) {
    mounts.set(m);
  }

  void unbindMounts(Mounts m) {
    mounts.compareAndSet(m, null);
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindEngine(StorageEngine e) {
    engine.set(e);
  }

  void unbindEngine(StorageEngine e) {
    engine.compareAndSet(e, null);
  }

  ConsolePage page() {
    return page;
  }
}
