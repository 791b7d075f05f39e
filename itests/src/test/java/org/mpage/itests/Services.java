package org.mpage.itests;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Map;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.Mounts;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Service lookups and Configuration Admin helpers the tests share. */
final class Services {
  private final BundleContext context;

  Services(BundleContext context) {
    this.context = context;
  }

  <T> T get(Class<T> type) throws InterruptedException {
    Object[] found = new Object[1];
    Await.until(
        type.getSimpleName() + " service",
        () -> {
          ServiceReference<T> ref = context.getServiceReference(type);
          found[0] = ref == null ? null : context.getService(ref);
          return found[0] != null;
        });
    return type.cast(found[0]);
  }

  /** Whether a service of {@code type} matching {@code filter} is registered. */
  boolean exists(Class<?> type, String filter) {
    try {
      return context.getServiceReferences(type.getName(), filter) != null;
    } catch (org.osgi.framework.InvalidSyntaxException e) {
      throw new IllegalArgumentException(filter, e);
    }
  }

  /** The current mount table (a new one after its configuration or the engine's changed). */
  Mounts mounts() throws InterruptedException {
    return get(Mounts.class);
  }

  ConfigurationAdmin cm() throws InterruptedException {
    return get(ConfigurationAdmin.class);
  }

  /** A new factory configuration (of any bundle's location) with the given properties. */
  Configuration create(String factoryPid, Map<String, ?> props)
      throws IOException, InterruptedException {
    Configuration c = cm().createFactoryConfiguration(factoryPid, "?");
    c.update(dict(props));
    return c;
  }

  /** Sets a singleton configuration. */
  void configure(String pid, Map<String, ?> props) throws IOException, InterruptedException {
    Configuration c = cm().getConfiguration(pid, "?");
    c.update(dict(props));
  }

  static Dictionary<String, Object> dict(Map<String, ?> props) {
    return FrameworkUtil.asDictionary(Map.copyOf(props));
  }

  /** The device as the current mount table sees it, or null. */
  DeviceInfo device(String name) throws InterruptedException {
    for (DeviceInfo d : mounts().devices()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** Waits until {@code name} is listed in state {@code state} (null: not listed). */
  void awaitDevice(String name, DeviceInfo.SwapState state) throws InterruptedException {
    Await.until(
        name + " in state " + state,
        () -> {
          try {
            DeviceInfo d = device(name);
            return state == null ? d == null : d != null && d.state() == state;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
          }
        });
  }

  Bundle bundle(String symbolicName) {
    for (Bundle b : context.getBundles()) {
      if (b.getSymbolicName().equals(symbolicName)) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + symbolicName);
  }
}
