package org.mpage.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The stack in Felix: bundles resolve, components come up, devices are made and removed through
 * Configuration Admin, ext2 is mounted, read and written through the mount service, and the Gogo
 * commands answer.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class RuntimeIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  @Test
  public void bundlesResolveAndEveryComponentIsActive() throws Exception {
    Services s = new Services(context);
    for (Bundle b : context.getBundles()) {
      boolean fragment = b.getHeaders().get("Fragment-Host") != null;
      assertEquals(
          b.getSymbolicName() + " state", fragment ? Bundle.RESOLVED : Bundle.ACTIVE, b.getState());
    }
    s.create("org.mpage.device.ramdisk", Map.of("device.name", "ram9", "size", "4M"));
    s.awaitDevice("ram9", DeviceInfo.SwapState.UNUSED);
    s.get(CommandProcessor.class);

    ServiceComponentRuntime scr = s.get(ServiceComponentRuntime.class);
    List<String> components = new ArrayList<>();
    for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
      if (!d.bundle.symbolicName.startsWith("org.mpage")) {
        continue;
      }
      components.add(d.name);
      List<ComponentConfigurationDTO> configs =
          new ArrayList<>(scr.getComponentConfigurationDTOs(d));
      if (d.name.endsWith("FileDeviceComponent")
          || (d.name.startsWith("org.mpage.device.fault.") && d.name.endsWith("Component"))
          || d.name.endsWith("LogWritesComponent")
          || d.name.endsWith("NbdDeviceComponent")) {
        assertTrue("no such device configured yet: " + configs, configs.isEmpty());
        continue;
      }
      assertEquals(d.name + " configurations", 1, configs.size());
      // Delayed components activate on first use: use each one's service once. (A component
      // without a service, such as the MBean exporter, is immediate.)
      if (d.serviceInterfaces.length > 0) {
        for (var ref :
            context.getServiceReferences(
                d.serviceInterfaces[0], "(component.name=" + d.name + ")")) {
          assertTrue(d.name + " service", context.getService(ref) != null);
        }
      }
      Await.until(
          d.name + " active",
          () ->
              scr.getComponentConfigurationDTOs(d).iterator().next().state
                  == ComponentConfigurationDTO.ACTIVE);
    }
    components.sort(null);
    assertEquals(
        List.of(
            "org.mpage.core.osgi.EngineComponent",
            "org.mpage.device.fault.DelayComponent",
            "org.mpage.device.fault.DelayProvider",
            "org.mpage.device.fault.DustComponent",
            "org.mpage.device.fault.DustProvider",
            "org.mpage.device.fault.FlakeyComponent",
            "org.mpage.device.fault.FlakeyProvider",
            "org.mpage.device.file.FileDeviceComponent",
            "org.mpage.device.file.FileDeviceProvider",
            "org.mpage.device.logwrites.LogWritesComponent",
            "org.mpage.device.logwrites.LogWritesProvider",
            "org.mpage.device.nbd.NbdDeviceComponent",
            "org.mpage.device.nbd.NbdDeviceProvider",
            "org.mpage.device.ramdisk.RamDiskComponent",
            "org.mpage.device.ramdisk.RamDiskProvider",
            "org.mpage.fs.ext2.Ext2FileSystemType",
            "org.mpage.fs.ext4.extents.ExtentMapProvider",
            "org.mpage.jmx.JmxComponent",
            "org.mpage.nio.OsgiImageFileSystemProvider",
            "org.mpage.shell.MpageCommands",
            "org.mpage.vfs.osgi.MountService"),
        components);
  }

  @Test
  public void devicesComeAndGoThroughConfigurationAdmin() throws Exception {
    Services s = new Services(context);
    Path image = Files.createTempFile("mpage-it", ".img");
    try {
      Files.write(image, new byte[8 << 20]);
      org.osgi.service.cm.Configuration ram =
          s.create("org.mpage.device.ramdisk", Map.of("device.name", "ram0", "size", "16M"));
      org.osgi.service.cm.Configuration file =
          s.create(
              "org.mpage.device.file", Map.of("device.name", "disk0", "path", image.toString()));
      s.awaitDevice("ram0", DeviceInfo.SwapState.UNUSED);
      s.awaitDevice("disk0", DeviceInfo.SwapState.UNUSED);
      assertEquals(16L << 20, s.device("ram0").capacitySectors() * 512);
      assertEquals(8L << 20, s.device("disk0").capacitySectors() * 512);

      ram.delete();
      file.delete();
      s.awaitDevice("ram0", null);
      s.awaitDevice("disk0", null);
    } finally {
      Files.deleteIfExists(image);
    }
  }

  @Test
  public void ext2OnAFileDeviceIsReadAndWrittenThroughTheMountService() throws Exception {
    Services s = new Services(context);
    Path work = Files.createTempDirectory("mpage-it");
    Path src = Files.createDirectories(work.resolve("src"));
    Files.writeString(src.resolve("hello.txt"), "made by mke2fs\n");
    Path image = E2fsprogs.mkfs(work.resolve("disk.img"), "16M", src);
    s.create("org.mpage.device.file", Map.of("device.name", "disk0", "path", image.toString()));
    s.awaitDevice("disk0", DeviceInfo.SwapState.UNUSED);

    Mounts mounts = s.mounts();
    FileSystem fs = mounts.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    assertEquals(DeviceInfo.SwapState.ACTIVE, s.device("disk0").state());
    assertEquals("made by mke2fs\n", read(fs, "/hello.txt"));
    byte[] data = new byte[300_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + 7);
    }
    try (FileHandle h = fs.openWrite("/written.bin", true, true, 0644)) {
      h.write(0, ByteBuffer.wrap(data));
      h.fsync();
    }
    fs.mkdir("/dir", 0755);
    mounts.unmount("disk0");
    assertTrue(mounts.mounts().isEmpty());

    E2fsprogs.fsck(image);
    assertArrayEquals(data, E2fsprogs.dump(image, "/written.bin", work.resolve("out.bin")));
  }

  @Test
  public void gogoCommandsOnAMountedRamDisk() throws Exception {
    Services s = new Services(context);
    CommandProcessor processor = s.get(CommandProcessor.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    CommandSession session = processor.createSession(System.in, ps, System.err);
    Path local = Files.createTempFile("mpage-it", ".txt");
    Files.writeString(local, "through gogo\n");
    java.util.function.Function<String, String> run =
        command -> {
          out.reset();
          try {
            session.execute(command);
          } catch (Exception e) {
            throw new AssertionError(command, e);
          }
          return out.toString(StandardCharsets.UTF_8).stripTrailing();
        };

    assertEquals("ram0: 16M RAM disk", run.apply("mpage:ramdisk ram0 16M"));
    assertEquals(DeviceInfo.SwapState.UNUSED, s.device("ram0").state());
    assertEquals("ram0: new ext2", run.apply("mpage:mkfs ext2 ram0"));
    assertTrue(run.apply("mpage:mount ext2 ram0").startsWith("ram0: ext2"));
    assertEquals("/note.txt: 13 bytes", run.apply("mpage:put " + local + " ram0 /note.txt"));
    String ls = run.apply("mpage:ls ram0 /");
    assertTrue(ls, ls.lines().anyMatch(l -> l.matches("- +13 note\\.txt")));
    String mountsOut = run.apply("mpage:mounts");
    assertTrue(mountsOut, mountsOut.lines().anyMatch(l -> l.matches("ram0 +ext2 +rw +\\S+")));
    String devices = run.apply("mpage:devices");
    assertTrue(devices, devices.lines().anyMatch(l -> l.matches("ram0 +ACTIVE +1 +16M .*")));
    String slots = run.apply("mpage:slots");
    assertTrue(slots, slots.lines().anyMatch(l -> l.matches("ram0 +ACTIVE +1 +0 +0")));
    assertEquals("through gogo", run.apply("mpage:cat ram0 /note.txt"));
    assertTrue(run.apply("mpage:stat ram0 /note.txt").contains("size:   13"));
    assertEquals("ram0: unmounted", run.apply("mpage:umount ram0"));
    assertEquals("ram0: removed", run.apply("mpage:rmdevice ram0"));
    assertEquals(null, s.device("ram0"));
    session.close();
    Files.delete(local);
  }

  static String read(FileSystem fs, String path) throws Exception {
    try (FileHandle h = fs.open(path)) {
      ByteBuffer b = ByteBuffer.allocate((int) h.size());
      h.read(0, b);
      return new String(b.array(), StandardCharsets.UTF_8);
    }
  }
}
