package org.mpage.shell;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.Mounts;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The devices {@link MpageCommands} makes and removes: factory configurations of the PIDs the
 * device bundles' {@link BlockDeviceProvider}s name, waited for until the device is up (or gone) in
 * the mount table's view.
 */
final class DeviceConfigs {
  private final Mounts mounts;
  private final ConfigurationAdmin cm;
  private final long waitMillis;
  private final List<BlockDeviceProvider> providers = new CopyOnWriteArrayList<>();

  /**
   * Every factory PID a provider named since activation: {@link #remove} also removes the
   * configurations of a device bundle that has left (taken out of the deploy folder, say).
   */
  private final Set<String> knownPids = ConcurrentHashMap.newKeySet();

  DeviceConfigs(Mounts mounts, ConfigurationAdmin cm, long waitMillis) {
    this.mounts = mounts;
    this.cm = cm;
    this.waitMillis = waitMillis;
  }

  void addProvider(BlockDeviceProvider provider) {
    providers.add(provider);
    knownPids.add(provider.factoryPid());
  }

  void removeProvider(BlockDeviceProvider provider) {
    providers.remove(provider);
  }

  /** Device type to factory PID, from the providers present (one entry per type). */
  private Map<String, String> deviceTypes() {
    Map<String, String> types = new TreeMap<>();
    for (BlockDeviceProvider p : providers) {
      types.putIfAbsent(p.type(), p.factoryPid());
    }
    return types;
  }

  /** The providers present, one per type, by type. */
  Map<String, BlockDeviceProvider> providersByType() {
    Map<String, BlockDeviceProvider> types = new TreeMap<>();
    for (BlockDeviceProvider p : providers) {
      types.putIfAbsent(p.type(), p);
    }
    return types;
  }

  /**
   * The factory PID of {@code type}'s provider. A device bundle being installed (from a deploy
   * folder, say) is waited for as a device coming up is, at most {@code waitMillis}.
   */
  private String factoryPid(String type) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (true) {
      Map<String, String> types = deviceTypes();
      String pid = types.get(type);
      if (pid != null) {
        return pid;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "no device bundle of type " + type + " is running; device types: " + types.keySet());
      }
      Thread.sleep(20);
    }
  }

  /** Creates a device of {@code type} and waits until it is up. */
  void create(String type, String name, Map<String, Object> props)
      throws IOException, InterruptedException {
    checkName(name);
    ConfigurationAdmin admin = configurationAdmin();
    String pid = factoryPid(type);
    if (listConfigurations(admin, "(device.name=" + name + ")").length > 0) {
      throw new IOException(name + ": a device configuration with that name exists");
    }
    Map<String, Object> config = new HashMap<>(props);
    config.put("device.name", name);
    Configuration c = admin.createFactoryConfiguration(pid, "?");
    c.update(FrameworkUtil.asDictionary(config));
    try {
      awaitDevice(name, d -> d != null && d.backends() > 0);
    } catch (IOException e) {
      c.delete();
      throw new IOException(
          name
              + ": the device did not come up (is its bundle deployed and the configuration"
              + " valid? see the log)",
          e);
    }
  }

  /**
   * Deletes the configurations that made backends named {@code name} and waits until they are gone.
   */
  void remove(String name) throws IOException, InterruptedException {
    checkName(name);
    ConfigurationAdmin admin = configurationAdmin();
    int removed = 0;
    for (String pid : new TreeSet<>(knownPids)) {
      Configuration[] found =
          listConfigurations(
              admin, "(&(service.factoryPid=" + pid + ")(device.name=" + name + "))");
      for (Configuration c : found) {
        c.delete();
        removed++;
      }
    }
    if (removed == 0) {
      throw new IOException(name + ": no device configuration with that name");
    }
    awaitDevice(name, d -> d == null || d.backends() == 0);
  }

  private static void checkName(String name) {
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "device names are 1 to 64 letters, digits, '.', '_' or '-': " + name);
    }
  }

  private void awaitDevice(String name, Predicate<DeviceInfo> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (!done.test(find(name))) {
      if (System.nanoTime() > deadline) {
        throw new IOException(name + ": timed out after " + waitMillis + " ms");
      }
      Thread.sleep(20);
    }
  }

  /** The device named {@code name} in the mount table's view, or null. */
  DeviceInfo find(String name) {
    for (DeviceInfo d : mounts.devices()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  private ConfigurationAdmin configurationAdmin() throws IOException {
    if (cm == null) {
      throw new IOException("Configuration Admin is not running: devices cannot be created");
    }
    return cm;
  }

  private static Configuration[] listConfigurations(ConfigurationAdmin admin, String filter)
      throws IOException {
    try {
      Configuration[] found = admin.listConfigurations(filter);
      return found == null ? new Configuration[0] : found;
    } catch (InvalidSyntaxException e) {
      throw new IllegalArgumentException("bad device name: " + filter, e);
    }
  }
}
