package org.mpage.device.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.StackedDeviceProvider;
import org.mpage.device.ramdisk.RamDisk;

/** The components without OSGi, and the providers as ServiceLoader finds them. */
class ComponentsTest {
  @Test
  void providers_areFoundByServiceLoader_withTheirTypesAndPids() throws Exception {
    Map<String, String> pids =
        ServiceLoader.load(BlockDeviceProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(p -> p instanceof StackedDeviceProvider)
            .collect(
                Collectors.toMap(
                    BlockDeviceProvider::type,
                    BlockDeviceProvider::factoryPid,
                    (a, b) -> a,
                    TreeMap::new));
    assertEquals(
        Map.of(
            "delay", "org.mpage.device.fault.delay",
            "dust", "org.mpage.device.fault.dust",
            "flakey", "org.mpage.device.fault.flakey"),
        pids);
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    var flakey =
        ((StackedDeviceProvider) new FlakeyProvider())
            .stack("f0", ram, Map.of("up.bios", "0", "down.bios", "1", "mode", "error-reads"));
    assertEquals(BlockStatus.IOERR, Raw.io(flakey, BioOp.READ, 0, Raw.page((byte) 0)));
    assertThrows(IllegalArgumentException.class, () -> new DustProvider().open("d", Map.of()));
  }

  @Test
  void component_checksItsLowerDevice_andClosesOnlyItself() throws Exception {
    RamDisk ram = new RamDisk("disk0", 1 << 20);
    assertThrows(
        IllegalArgumentException.class,
        () -> new FlakeyComponent("f0", "disk1", ram, Map.of("down.ms", "1")),
        "lower.target selected another device than lower names");
    assertThrows(IllegalArgumentException.class, () -> new DelayComponent("d0", "", ram, Map.of()));
    DustComponent dust = new DustComponent("dust0", "disk0", ram, Map.of("blocks", "0"));
    assertEquals("dust0", dust.name());
    assertFalse(dust.hasRwPage());
    assertEquals(BlockStatus.IOERR, Raw.io(dust, BioOp.READ, 0, Raw.page((byte) 0)));
    dust.deactivate();
    assertEquals(BlockStatus.NODEV, Raw.io(dust, BioOp.READ, 8, Raw.page((byte) 0)));
    assertEquals(BlockStatus.OK, Raw.io(ram, BioOp.READ, 8, Raw.page((byte) 0)));
    assertTrue(Set.of("blocks", "block.size", "enabled").containsAll(DustDevice.OPTIONS));
  }
}
