package org.mpage.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.page.Folio;
import org.mpage.core.MpageEngine;
import org.mpage.device.ramdisk.RamDisk;
import org.mpage.fs.ext2.Ext2FileSystemType;
import org.mpage.vfs.mount.MountTable;

/**
 * The exporter without OSGi, on a mount table with ext2 on a RAM disk fed by hand as the component
 * feeds it, into a private MBean server.
 */
class MBeanExporterTest {
  private final MBeanServer server = MBeanServerFactory.newMBeanServer();
  private final List<Sources.Backend> backends = new ArrayList<>();
  private MpageEngine engine;
  private MountTable table;
  private MBeanExporter exporter;

  @BeforeEach
  void setUp() {
    engine = new MpageEngine(MpageEngine.Config.defaults().withCacheLimit(4096, 1024));
    table = new MountTable(engine, 2000);
    table.typeAdded(new Ext2FileSystemType());
    exporter =
        new MBeanExporter(
            server,
            new Sources() {
              @Override
              public Mounts mounts() {
                return table;
              }

              @Override
              public StorageEngine engine() {
                return engine;
              }

              @Override
              public List<Backend> backends() {
                return List.copyOf(backends);
              }
            });
  }

  @AfterEach
  void tearDown() {
    exporter.close();
    table.close();
    engine.close();
  }

  private void add(BlockDevice device) {
    backends.add(new Sources.Backend(device, 0, "test " + device.name()));
    table.deviceAdded(device, 0);
    exporter.refresh();
  }

  private void remove(BlockDevice device) {
    backends.removeIf(b -> b.device() == device);
    table.deviceRemoved(device);
    exporter.refresh();
  }

  private long attr(ObjectName name, String attribute) throws Exception {
    return ((Number) server.getAttribute(name, attribute)).longValue();
  }

  /** {@code count} BIOs of {@code sectors} sectors each through the engine's block layer. */
  private void io(BlockDevice dev, BioOp op, int count, int sectors) {
    for (int i = 0; i < count; i++) {
      Bio bio = new Bio(dev, op, Set.of(), 1);
      bio.setSector(8L * i);
      bio.addFolio(
          new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE)), sectors * 512, 0);
      assertEquals(BlockStatus.OK, engine.submitBioWait(bio));
    }
  }

  @Test
  void deviceBean_countsExactlyTheBiosSubmitted_andLeavesWithTheDevice() throws Exception {
    RamDisk ram = new RamDisk("ram0", 4 << 20);
    add(ram);
    ObjectName name = new ObjectName("org.mpage:type=Device,name=ram0");
    assertTrue(server.isRegistered(name));
    assertFalse(server.isRegistered(new ObjectName("org.mpage:type=Slot,name=ram0")));
    assertEquals(8192, attr(name, "CapacitySectors"));
    ObjectName engineName = new ObjectName("org.mpage:type=Engine,name=engine");
    long engineReads = attr(engineName, "BiosRead");

    io(ram, BioOp.WRITE, 5, 8);
    io(ram, BioOp.READ, 7, 2);

    assertEquals(5, attr(name, "WritesCompleted"));
    assertEquals(40, attr(name, "SectorsWritten"));
    assertEquals(7, attr(name, "ReadsCompleted"));
    assertEquals(14, attr(name, "SectorsRead"));
    assertEquals(0, attr(name, "InFlight"));
    assertEquals(ram.stats().format("ram0"), server.getAttribute(name, "Diskstats"));
    assertEquals(engineReads + 7, attr(engineName, "BiosRead"));

    remove(ram);
    assertFalse(server.isRegistered(name));
  }

  @Test
  void mountAndSlotBeans_followTheMountTable() throws Exception {
    RamDisk ram = new RamDisk("ram0", 8 << 20);
    add(ram);
    table.format("ext2", "ram0", java.util.Map.of("block.size", "1024"));
    table.mount("ext2", "ram0", MountOptions.defaultsReadWrite());
    exporter.refresh();
    ObjectName mount = new ObjectName("org.mpage:type=Mount,name=ram0");
    ObjectName slot = new ObjectName("org.mpage:type=Slot,name=ram0");
    assertEquals("ext2", server.getAttribute(mount, "Type"));
    assertEquals("rw", server.getAttribute(mount, "Mode"));
    assertEquals(table.mounts().get(0).identity(), server.getAttribute(mount, "Identity"));
    assertEquals(1024, attr(mount, "BlockSize"));
    assertEquals(8192, attr(mount, "BlocksCount"));
    assertEquals("ACTIVE", server.getAttribute(slot, "State"));
    assertEquals(0, attr(slot, "WaitingBios"));
    assertEquals("test ram0", server.getAttribute(slot, "Backend"));

    ObjectName engineName = new ObjectName("org.mpage:type=Engine,name=engine");
    assertTrue(attr(engineName, "CachedPages") >= 0);
    assertEquals(4096, attr(engineName, "CacheLimitPages"));
    TabularData all = (TabularData) server.getAttribute(engineName, "Statistics");
    assertTrue(all.containsKey(new Object[] {"get_block.calls"}), all.toString());

    // The mount's share of the page cache counters: a page written then read twice is cached.
    try (var h = table.fileSystem("ram0").openWrite("/f", true, true, 0644)) {
      h.write(0, ByteBuffer.wrap(new byte[100]));
    }
    for (int i = 0; i < 2; i++) {
      try (var h = table.fileSystem("ram0").open("/f")) {
        h.read(0, ByteBuffer.allocate(100));
      }
    }
    assertEquals(2, attr(mount, "CacheHits"));
    assertEquals(0, attr(mount, "CacheMisses"));

    // Suspend and resume through the Slot bean's operations, as JConsole calls them.
    server.invoke(slot, "suspend", null, null);
    assertEquals("HELD", server.getAttribute(slot, "State"));
    server.invoke(slot, "resume", null, null);
    assertEquals("ACTIVE", server.getAttribute(slot, "State"));

    table.unmount("ram0");
    exporter.refresh();
    assertFalse(server.isRegistered(mount));
    assertFalse(server.isRegistered(slot));
    assertTrue(server.isRegistered(new ObjectName("org.mpage:type=Device,name=ram0")));
  }

  @Test
  void objectName_quotesANameThatNeedsIt() throws Exception {
    add(new RamDisk("odd,name=1", 1 << 20));
    ObjectName quoted = MBeanExporter.objectName("Device", "odd,name=1");
    assertTrue(server.isRegistered(quoted), exporter.registered().toString());
    assertEquals("odd,name=1", server.getAttribute(quoted, "Name"));
    exporter.close();
    assertTrue(server.queryNames(new ObjectName("org.mpage:*"), null).isEmpty());
  }
}
