package org.mpage.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.DiskStats;
import org.mpage.api.block.StackedDeviceProvider;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.Mounts;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The device commands take each device type's factory PID from the device bundle's {@link
 * BlockDeviceProvider} service, not from constants: Configuration Admin and the mount table are
 * fakes that record what the commands ask of them.
 */
class DeviceCommandsTest {
  /** Factory configurations by PID; a device "comes up" when its configuration is updated. */
  private final Map<String, List<Map<String, Object>>> configs = new HashMap<>();

  private final List<String> calls = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private final MpageCommands sh =
      new MpageCommands(
          mounts(),
          null,
          configAdmin(),
          () -> new PrintStream(out, true, StandardCharsets.UTF_8),
          200);

  private static BlockDeviceProvider provider(String type, String pid) {
    return new BlockDeviceProvider() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public String factoryPid() {
        return pid;
      }

      @Override
      public BlockDevice open(String name, Map<String, String> options) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void aRamDiskIsAConfigurationOfThePidItsProviderNames() throws Exception {
    sh.addDeviceProvider(provider("ramdisk", "com.example.brd"));
    sh.addDeviceProvider(provider("file", "com.example.loop"));

    sh.ramdisk("ram7", "4M");

    assertEquals(List.of("createFactoryConfiguration com.example.brd"), calls);
    assertEquals(
        List.of(Map.of("device.name", "ram7", "size", "4M")), configs.get("com.example.brd"));
    assertEquals("ram7: 4M RAM disk\n", out.toString(StandardCharsets.UTF_8));
  }

  private static BlockDeviceProvider stacked(String type, String pid) {
    return new StackedDeviceProvider() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public String factoryPid() {
        return pid;
      }

      @Override
      public BlockDevice open(String name, Map<String, String> options) {
        throw new UnsupportedOperationException();
      }

      @Override
      public BlockDevice stack(String name, BlockDevice lower, Map<String, String> options) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void aNewDeviceTypeIsListed_andAFaultTargetIsStackedByName() throws Exception {
    sh.addDeviceProvider(provider("ramdisk", "com.example.brd"));
    sh.addDeviceProvider(stacked("flakey", "com.example.flakey"));
    sh.devicetypes();
    assertEquals(
        List.of(
            "TYPE       FACTORY PID                      STACKED",
            "flakey     com.example.flakey               yes",
            "ramdisk    com.example.brd                  no"),
        out.toString(StandardCharsets.UTF_8).lines().toList());
    out.reset();

    sh.fault("flakey", "f0", "ram0", "down_ms=500", "mode=error-writes");

    assertEquals(List.of("createFactoryConfiguration com.example.flakey"), calls);
    assertEquals(
        List.of(
            Map.of(
                "device.name", "f0",
                "lower", "ram0",
                "lower.target", "(device.name=ram0)",
                "down.ms", "500",
                "mode", "error-writes")),
        configs.get("com.example.flakey"));
    assertEquals("f0: flakey on ram0\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void deviceCreatesAnyTypeFromKeyValueOptions() throws Exception {
    sh.addDeviceProvider(provider("ramdisk", "com.example.brd"));
    sh.device("ramdisk", "ram5", "size=8M");
    assertEquals(
        List.of(Map.of("device.name", "ram5", "size", "8M")), configs.get("com.example.brd"));
    assertThrows(IllegalArgumentException.class, () -> sh.device("ramdisk", "ram6", "size"));
  }

  @Test
  void rmdeviceLooksUnderEveryProvidersPid() throws Exception {
    sh.addDeviceProvider(provider("file", "com.example.loop"));
    sh.filedevice("disk3", "/tmp/disk3.img", "ro");
    calls.clear();

    sh.rmdevice("disk3");

    assertEquals(
        List.of(
            "listConfigurations (&(service.factoryPid=com.example.loop)(device.name=disk3))",
            "delete com.example.loop"),
        calls);
    assertTrue(configs.get("com.example.loop").isEmpty());
  }

  @Test
  void withoutTheDeviceBundleTheTypeIsUnknown() {
    sh.addDeviceProvider(provider("file", "com.example.loop"));
    IOException e = assertThrows(IOException.class, () -> sh.ramdisk("ram0", "4M"));
    assertEquals(
        "no device bundle of type ramdisk is running; device types: [file]", e.getMessage());
    BlockDeviceProvider gone = provider("ramdisk", "com.example.brd");
    sh.addDeviceProvider(gone);
    sh.removeDeviceProvider(gone);
    assertThrows(IOException.class, () -> sh.ramdisk("ram0", "4M"));
    assertTrue(configs.isEmpty(), "nothing configured: " + configs);
  }

  private Mounts mounts() {
    return (Mounts)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Mounts.class},
            (proxy, m, args) -> {
              if (!m.getName().equals("devices")) {
                throw new UnsupportedOperationException(m.getName());
              }
              List<DeviceInfo> devices = new ArrayList<>();
              configs.values().stream()
                  .flatMap(List::stream)
                  .forEach(
                      c ->
                          devices.add(
                              new DeviceInfo(
                                  (String) c.get("device.name"),
                                  1,
                                  DeviceInfo.SwapState.UNUSED,
                                  8192,
                                  0,
                                  0,
                                  DiskStats.ZERO)));
              return devices;
            });
  }

  private ConfigurationAdmin configAdmin() {
    return (ConfigurationAdmin)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {ConfigurationAdmin.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "createFactoryConfiguration" -> {
                    calls.add("createFactoryConfiguration " + args[0]);
                    yield configuration((String) args[0], new HashMap<>());
                  }
                  case "listConfigurations" -> {
                    String filter = (String) args[0];
                    if (filter.contains("service.factoryPid")) {
                      calls.add("listConfigurations " + filter);
                    }
                    List<Configuration> found = new ArrayList<>();
                    configs.forEach(
                        (pid, list) -> {
                          for (Map<String, Object> c : list) {
                            String name = "(device.name=" + c.get("device.name") + ")";
                            if (filter.equals(name)
                                || filter.equals(
                                    "(&(service.factoryPid=" + pid + ")" + name + ")")) {
                              found.add(configuration(pid, c));
                            }
                          }
                        });
                    yield found.isEmpty() ? null : found.toArray(new Configuration[0]);
                  }
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  private Configuration configuration(String pid, Map<String, Object> props) {
    return (Configuration)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Configuration.class},
            (proxy, m, args) -> {
              switch (m.getName()) {
                case "update" -> {
                  Dictionary<?, ?> d = (Dictionary<?, ?>) args[0];
                  for (Object k : Collections.list(d.keys())) {
                    props.put((String) k, d.get(k));
                  }
                  configs.computeIfAbsent(pid, p -> new ArrayList<>()).add(props);
                }
                case "delete" -> {
                  calls.add("delete " + pid);
                  configs.get(pid).remove(props);
                }
                default -> throw new UnsupportedOperationException(m.getName());
              }
              return null;
            });
  }
}
