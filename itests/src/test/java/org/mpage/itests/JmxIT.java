package org.mpage.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.inject.Inject;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.Folio;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * mpage's MBeans in Felix, read as a JMX console reads them: through an RMI connector on a loopback
 * port (a registry and connector server this test starts over the platform MBean server). Beans
 * come and go with devices made and deleted through Configuration Admin and with a mount; their
 * counters move by exactly the BIOs a known workload submits, as the api's DiskStats do.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class JmxIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  @Test
  // The client looks the connector up in the RMI registry (JNDI) as JConsole does: the registry is
  // this test's own, on a loopback port.
  @SuppressWarnings("BanJNDI")
  public void beansFollowDevicesAndMountsAndCountTheBiosOfAWorkload() throws Exception {
    Services s = new Services(context);
    Path image = Files.createTempFile("mpage-jmx", ".img");
    Files.write(image, new byte[8 << 20]);
    RMIServerSocketFactory loopback =
        port -> new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    System.setProperty("java.rmi.server.hostname", "127.0.0.1");
    Registry registry = LocateRegistry.createRegistry(port, null, loopback);
    JMXServiceURL url =
        new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
    Map<String, Object> env = new HashMap<>();
    env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, loopback);
    JMXConnectorServer server =
        JMXConnectorServerFactory.newJMXConnectorServer(
            url, env, ManagementFactory.getPlatformMBeanServer());
    server.start();
    try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
      MBeanServerConnection jmx = connector.getMBeanServerConnection();
      ObjectName ram = new ObjectName("org.mpage:type=Device,name=ram0");
      ObjectName disk = new ObjectName("org.mpage:type=Device,name=disk0");
      ObjectName engineName = new ObjectName("org.mpage:type=Engine,name=engine");

      org.osgi.service.cm.Configuration ramConfig =
          s.create("org.mpage.device.ramdisk", Map.of("device.name", "ram0", "size", "16M"));
      org.osgi.service.cm.Configuration diskConfig =
          s.create(
              "org.mpage.device.file", Map.of("device.name", "disk0", "path", image.toString()));
      awaitRegistered(jmx, ram, true);
      awaitRegistered(jmx, disk, true);
      awaitRegistered(jmx, engineName, true);
      assertEquals(16L << 11, jmx.getAttribute(ram, "CapacitySectors"));
      assertEquals(8L << 11, jmx.getAttribute(disk, "CapacitySectors"));

      // The workload: on each device, 5 writes of 8 sectors and 7 reads of 2 sectors, each one
      // BIO through the engine's block layer.
      StorageEngine engine = s.get(StorageEngine.class);
      long engineReads = (Long) jmx.getAttribute(engineName, "BiosRead");
      long engineWrites = (Long) jmx.getAttribute(engineName, "BiosWrite");
      for (ObjectName name : new ObjectName[] {ram, disk}) {
        BlockDevice dev = device(name.getKeyProperty("name"));
        DiskStats apiBefore = dev.stats();
        long reads = (Long) jmx.getAttribute(name, "ReadsCompleted");
        long writes = (Long) jmx.getAttribute(name, "WritesCompleted");
        long sectorsRead = (Long) jmx.getAttribute(name, "SectorsRead");
        long sectorsWritten = (Long) jmx.getAttribute(name, "SectorsWritten");
        io(engine, dev, BioOp.WRITE, 5, 8);
        io(engine, dev, BioOp.READ, 7, 2);
        DiskStats api = dev.stats();
        assertEquals(5, api.writesCompleted() - apiBefore.writesCompleted());
        assertEquals(7, api.readsCompleted() - apiBefore.readsCompleted());
        assertEquals(reads + 7, jmx.getAttribute(name, "ReadsCompleted"));
        assertEquals(api.readsCompleted(), jmx.getAttribute(name, "ReadsCompleted"));
        assertEquals(writes + 5, jmx.getAttribute(name, "WritesCompleted"));
        assertEquals(api.writesCompleted(), jmx.getAttribute(name, "WritesCompleted"));
        assertEquals(sectorsRead + 14, jmx.getAttribute(name, "SectorsRead"));
        assertEquals(api.sectorsRead(), jmx.getAttribute(name, "SectorsRead"));
        assertEquals(sectorsWritten + 40, jmx.getAttribute(name, "SectorsWritten"));
        assertEquals(api.sectorsWritten(), jmx.getAttribute(name, "SectorsWritten"));
        assertEquals(0L, jmx.getAttribute(name, "InFlight"));
      }
      assertEquals(engineReads + 14, jmx.getAttribute(engineName, "BiosRead"));
      assertEquals(engineWrites + 10, jmx.getAttribute(engineName, "BiosWrite"));

      // A mount brings the slot's and the mount's beans; the unmount takes them away.
      Mounts mounts = s.mounts();
      mounts.format("ext2", "disk0", Map.of("block.size", "1024"));
      mounts.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
      ObjectName slot = new ObjectName("org.mpage:type=Slot,name=disk0");
      ObjectName mount = new ObjectName("org.mpage:type=Mount,name=disk0");
      awaitRegistered(jmx, mount, true);
      awaitRegistered(jmx, slot, true);
      assertEquals("ext2", jmx.getAttribute(mount, "Type"));
      assertEquals("rw", jmx.getAttribute(mount, "Mode"));
      assertEquals(mounts.mounts().get(0).identity(), jmx.getAttribute(mount, "Identity"));
      assertEquals(1024, jmx.getAttribute(mount, "BlockSize"));
      assertEquals("ACTIVE", jmx.getAttribute(slot, "State"));
      assertEquals(0, jmx.getAttribute(slot, "WaitingBios"));
      assertTrue(
          (String) jmx.getAttribute(slot, "Backend"),
          ((String) jmx.getAttribute(slot, "Backend"))
              .startsWith("org.mpage.device.file.FileDeviceComponent (service "));
      assertEquals(s.device("disk0").stats().format("disk0"), jmx.getAttribute(disk, "Diskstats"));
      mounts.unmount("disk0");
      awaitRegistered(jmx, mount, false);
      awaitRegistered(jmx, slot, false);

      ramConfig.delete();
      diskConfig.delete();
      awaitRegistered(jmx, ram, false);
      awaitRegistered(jmx, disk, false);
      s.awaitDevice("disk0", (DeviceInfo.SwapState) null);
      Set<ObjectName> left = jmx.queryNames(new ObjectName("org.mpage:type=Device,*"), null);
      assertTrue(left.toString(), left.isEmpty());
    } finally {
      server.stop();
      UnicastRemoteObject.unexportObject(registry, true);
      Files.deleteIfExists(image);
    }
  }

  private BlockDevice device(String name) throws Exception {
    for (ServiceReference<BlockDevice> ref :
        context.getServiceReferences(BlockDevice.class, "(device.name=" + name + ")")) {
      return context.getService(ref);
    }
    throw new AssertionError("no BlockDevice service " + name);
  }

  /** {@code count} BIOs of {@code sectors} sectors each, waited for one at a time. */
  private static void io(StorageEngine engine, BlockDevice dev, BioOp op, int count, int sectors) {
    for (int i = 0; i < count; i++) {
      Bio bio = new Bio(dev, op, Set.of(), 1);
      bio.setSector(8L * i);
      bio.addFolio(
          new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE)), sectors * 512, 0);
      assertEquals(BlockStatus.OK, engine.submitBioWait(bio));
    }
  }

  private static void awaitRegistered(MBeanServerConnection jmx, ObjectName name, boolean there)
      throws InterruptedException {
    Await.until(
        name + (there ? " registered" : " unregistered"),
        () -> {
          try {
            return jmx.isRegistered(name) == there;
          } catch (IOException e) {
            throw new AssertionError("the JMX connection failed", e);
          }
        });
  }
}
