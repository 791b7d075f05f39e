package org.mpage.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import org.osgi.framework.BundleContext;

/**
 * The fault-injection targets in Felix: made by Configuration Admin factory configurations stacked
 * on a RAM disk ({@code lower} and {@code lower.target} name it), listed by the mount table, gone
 * with their lower device; ext2 mounted on a flakey device reports its write errors at fsync.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class FaultDeviceIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  private static Map<String, Object> on(String name, String lower, Object... more) {
    Map<String, Object> m = new java.util.HashMap<>();
    m.put("device.name", name);
    m.put("lower", lower);
    m.put("lower.target", "(device.name=" + lower + ")");
    for (int i = 0; i < more.length; i += 2) {
      m.put((String) more[i], more[i + 1]);
    }
    return m;
  }

  @Test
  public void targetsComeUpOnARamDisk_andGoWithIt() throws Exception {
    Services s = new Services(context);
    org.osgi.service.cm.Configuration ram =
        s.create("org.mpage.device.ramdisk", Map.of("device.name", "ram0", "size", "16M"));
    s.create("org.mpage.device.fault.flakey", on("flakey0", "ram0", "down.ms", "1000"));
    s.create("org.mpage.device.fault.dust", on("dust0", "ram0", "blocks", "1+2"));
    s.create("org.mpage.device.fault.delay", on("delay0", "ram0", "read.ms", "1"));
    for (String name : new String[] {"ram0", "flakey0", "dust0", "delay0"}) {
      s.awaitDevice(name, DeviceInfo.SwapState.UNUSED);
      assertEquals(name, 16L << 20, s.device(name).capacitySectors() * 512);
    }
    ram.delete();
    for (String name : new String[] {"ram0", "flakey0", "dust0", "delay0"}) {
      s.awaitDevice(name, null);
    }
  }

  @Test
  public void gogoListsTheTargets_andStacksOneOnARamDisk() throws Exception {
    Services s = new Services(context);
    CommandProcessor processor = s.get(CommandProcessor.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    CommandSession session = processor.createSession(System.in, ps, System.err);
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
    String types = run.apply("mpage:devicetypes");
    assertTrue(
        types,
        types.lines().anyMatch(l -> l.matches("flakey +org.mpage.device.fault.flakey +yes")));
    assertTrue(
        types, types.lines().anyMatch(l -> l.matches("ramdisk +org.mpage.device.ramdisk +no")));
    assertEquals("ram0: 16M RAM disk", run.apply("mpage:ramdisk ram0 16M"));
    assertEquals(
        "flakey0: flakey on ram0",
        run.apply("mpage:fault flakey flakey0 ram0 down_ms=1000 mode=error-writes"));
    assertEquals(
        "delay0: delay on ram0", run.apply("mpage:device delay delay0 lower=ram0 read.ms=1"));
    assertEquals(DeviceInfo.SwapState.UNUSED, s.device("flakey0").state());
    assertEquals(DeviceInfo.SwapState.UNUSED, s.device("delay0").state());
    assertEquals("flakey0: removed", run.apply("mpage:rmdevice flakey0"));
    session.close();
  }

  @Test
  public void ext2OnAFlakeyDevice_reportsTheWriteErrorAtFsync() throws Exception {
    Services s = new Services(context);
    s.create("org.mpage.device.ramdisk", Map.of("device.name", "ram0", "size", "16M"));
    s.awaitDevice("ram0", DeviceInfo.SwapState.UNUSED);
    Mounts mounts = s.mounts();
    mounts.format("ext2", "ram0", Map.of());
    // Down from the start, for writes only: the mount reads, the file's writeback fails.
    s.create(
        "org.mpage.device.fault.flakey",
        on("flakey0", "ram0", "up.ms", "0", "down.ms", "3600000", "mode", "error-writes"));
    s.awaitDevice("flakey0", DeviceInfo.SwapState.UNUSED);

    FileSystem fs = mounts.mount("ext2", "flakey0", MountOptions.defaultsReadWrite());
    byte[] data = new byte[64 * 1024];
    java.util.Arrays.fill(data, (byte) 7);
    try (FileHandle h = fs.openWrite("/f", true, true, 0644)) {
      h.write(0, ByteBuffer.wrap(data));
      assertThrows(IOException.class, h::fsync);
      // Cached pages are still what was written; the error was reported, not lost.
      ByteBuffer back = ByteBuffer.allocate(data.length);
      h.read(0, back);
      assertArrayEquals(data, back.array());
    }
    try {
      mounts.unmount("flakey0");
    } catch (IOException e) {
      // The unmount's sync may report the metadata it could not write.
    }
  }
}
