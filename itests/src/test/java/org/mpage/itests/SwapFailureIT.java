package org.mpage.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
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
 * Swaps that must not succeed: a backend of the same name but another filesystem is refused (even
 * with a higher ranking), and a device that stays away past the swap timeout fails the waiting I/O
 * with an error fsync reports, after which the mount recovers when the device returns.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class SwapFailureIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  private static Path image(Path work, String name) throws Exception {
    Path src = Files.createDirectories(work.resolve(name + "-src"));
    Files.writeString(src.resolve("whoami"), name + "\n");
    return E2fsprogs.mkfs(work.resolve(name + ".img"), "16M", src);
  }

  @Test
  public void aBackendWithAnotherIdentityIsRefused() throws Exception {
    Services s = new Services(context);
    Path work = Files.createTempDirectory("mpage-wrong");
    Path a = image(work, "a");
    Path b = image(work, "b");
    org.osgi.service.cm.Configuration right =
        s.create("org.mpage.device.file", Map.of("device.name", "disk0", "path", a.toString()));
    s.awaitDevice("disk0", DeviceInfo.SwapState.UNUSED);
    Mounts mounts = s.mounts();
    FileSystem fs = mounts.mount("ext2", "disk0", MountOptions.defaultsReadWrite());

    // Same name, higher ranking, other UUID: the switch is refused and the mount stays on a.
    s.create(
        "org.mpage.device.file",
        Map.of("device.name", "disk0", "path", b.toString(), "service.ranking", 10));
    Await.until("the second backend offered", () -> backends(s) == 2);
    assertEquals(DeviceInfo.SwapState.ACTIVE, s.device("disk0").state());
    assertEquals(0, s.device("disk0").swaps());
    assertEquals("a\n", RuntimeIT.read(fs, "/whoami"));

    // The right one leaves: the wrong one is still refused, the slot waits.
    right.delete();
    s.awaitDevice("disk0", DeviceInfo.SwapState.SUSPENDED);
    assertEquals(1, backends(s));

    // The right one returns: resumed.
    s.create("org.mpage.device.file", Map.of("device.name", "disk0", "path", a.toString()));
    s.awaitDevice("disk0", DeviceInfo.SwapState.ACTIVE);
    fs.mkdir("/after-swap", 0755);
    mounts.unmount("disk0");
    E2fsprogs.fsck(a);
    E2fsprogs.fsck(b);
    assertTrue(E2fsprogs.run("debugfs", "-R", "ls -l /", a.toString()).contains("after-swap"));
  }

  private static int backends(Services s) {
    try {
      DeviceInfo d = s.device("disk0");
      return d == null ? 0 : d.backends();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Test
  public void aSwapThatTimesOutFailsPendingIoAndTheMountRecovers() throws Exception {
    Services s = new Services(context);
    s.configure("org.mpage.vfs.mounts", Map.of("swap.timeout.ms", 1000L));
    Await.until(
        "the mount table reconfigured", () -> s.exists(Mounts.class, "(swap.timeout.ms=1000)"));
    Path work = Files.createTempDirectory("mpage-timeout");
    Path a = image(work, "a");
    org.osgi.service.cm.Configuration dev =
        s.create("org.mpage.device.file", Map.of("device.name", "disk0", "path", a.toString()));
    s.awaitDevice("disk0", DeviceInfo.SwapState.UNUSED);
    Mounts mounts = s.mounts();
    FileSystem fs = mounts.mount("ext2", "disk0", MountOptions.defaultsReadWrite());
    byte[] safe =
        "acknowledged before the outage\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (FileHandle h = fs.openWrite("/safe", true, true, 0644)) {
      h.write(0, ByteBuffer.wrap(safe));
      h.fsync();
    }

    dev.delete();
    s.awaitDevice("disk0", DeviceInfo.SwapState.SUSPENDED);
    FileHandle lost = fs.openWrite("/lost", true, true, 0644);
    lost.write(0, ByteBuffer.allocate(64 * 1024));
    long t0 = System.nanoTime();
    IOException failed = assertThrows(IOException.class, lost::fsync);
    assertTrue(failed.getMessage(), failed.getMessage().contains("disk0"));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue("fsync failed after " + waited + " ms", waited < 10_000);
    assertEquals(DeviceInfo.SwapState.FAILED, s.device("disk0").state());

    s.create("org.mpage.device.file", Map.of("device.name", "disk0", "path", a.toString()));
    s.awaitDevice("disk0", DeviceInfo.SwapState.ACTIVE);
    byte[] again = new byte[64 * 1024];
    java.util.Arrays.fill(again, (byte) 'x');
    lost.write(0, ByteBuffer.wrap(again));
    // A metadata write that failed in the outage may be reported once more, as errseq does.
    IOException once = null;
    try {
      lost.fsync();
    } catch (IOException e) {
      once = e;
    }
    if (once != null) {
      assertTrue(once.getMessage(), once.getMessage().contains("EIO"));
    }
    lost.fsync();
    lost.close();
    mounts.unmount("disk0");
    E2fsprogs.fsck(a);
    assertArrayEquals(safe, E2fsprogs.dump(a, "/safe", work.resolve("safe.out")));
    assertArrayEquals(again, E2fsprogs.dump(a, "/lost", work.resolve("lost.out")));
  }
}
