package org.mpage.webconsole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioListener;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.Mounts;

/** Every route of the page and its statuses, without a servlet container. */
class ConsolePageTest {
  private static final long NOW = TimeUnit.SECONDS.toNanos(100);

  /** What the fake mount table was asked to do, in order. */
  private final List<String> done = new ArrayList<>();

  private final List<BioListener> registered = new ArrayList<>();
  private final IoRing ring = new IoRing(16);
  private final Capture capture =
      new Capture(
          ring,
          l -> {
            registered.add(l);
            return () -> registered.remove(l);
          },
          TimeUnit.SECONDS.toNanos(30));
  private Mounts mounts = mountsWith("disk0");
  private final ConsolePage page =
      new ConsolePage(() -> mounts, ring, capture, TimeUnit.SECONDS.toNanos(10), () -> NOW);

  /** A mount table with {@code device} mounted (ext2, ro); other devices are not mounted. */
  private Mounts mountsWith(String device) {
    FileSystem fs =
        (FileSystem)
            Proxy.newProxyInstance(
                FileSystem.class.getClassLoader(),
                new Class<?>[] {FileSystem.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("sync")) {
                    done.add("sync");
                    return null;
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    return (Mounts)
        Proxy.newProxyInstance(
            Mounts.class.getClassLoader(),
            new Class<?>[] {Mounts.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "devices" -> List.of();
                  case "mounts" -> List.of(new MountInfo(device, "ext2", true, "uuid-1"));
                  case "fileSystem" -> {
                    if (!device.equals(args[0])) {
                      throw new IOException(args[0] + ": not mounted");
                    }
                    yield fs;
                  }
                  case "unmount" -> {
                    if (!device.equals(args[0])) {
                      throw new IOException(args[0] + ": not mounted");
                    }
                    done.add("unmount");
                    yield null;
                  }
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private ConsolePage.Response post(boolean header, String action, String device)
      throws IOException {
    Map<String, String> parameters = new HashMap<>();
    if (action != null) {
      parameters.put("action", action);
    }
    if (device != null) {
      parameters.put("device", device);
    }
    return page.handle("POST", null, header, parameters::get);
  }

  @Test
  void get_withoutPath_orAnyOtherPath_isThePage_andLeavesCaptureOff() throws IOException {
    for (String path : new String[] {null, "", "/", "/other"}) {
      ConsolePage.Response r = page.handle("GET", path, false, name -> null);
      assertEquals(200, r.status(), path);
      assertEquals("text/html", r.contentType());
      assertTrue(r.body().contains("data.json"), "the page's script polls its data");
    }
    assertFalse(capture.capturing(), "only the data switches capture on");
  }

  @Test
  void getData_isTheJson_andSwitchesCaptureOn() throws IOException {
    ConsolePage.Response r = page.handle("GET", "/data.json", false, name -> null);
    assertEquals(200, r.status());
    assertEquals("application/json", r.contentType());
    assertTrue(r.body().startsWith("{\"windowMs\":10000,\"devices\":[]"), r.body());
    assertTrue(r.body().contains("{\"device\":\"disk0\",\"type\":\"ext2\",\"mode\":\"ro\""));
    assertTrue(capture.capturing());
    assertEquals(1, registered.size());
  }

  @Test
  void getData_withoutAMountTable_isEmpty() throws IOException {
    mounts = null;
    String body = page.handle("GET", "/data.json", false, name -> null).body();
    assertEquals("{\"windowMs\":10000,\"devices\":[],\"mounts\":[]}", body);
  }

  @Test
  void post_withoutTheHeader_isForbidden_andDoesNothing() throws IOException {
    ConsolePage.Response r = post(false, "umount", "disk0");
    assertEquals(403, r.status());
    assertEquals("application/json", r.contentType());
    assertEquals("{\"ok\":false,\"message\":\"no X-Mpage-Action\"}", r.body());
    assertTrue(done.isEmpty());
  }

  @Test
  void post_sync_andUmount_withTheHeader() throws IOException {
    ConsolePage.Response sync = post(true, "sync", "disk0");
    assertEquals(200, sync.status());
    assertEquals("{\"ok\":true,\"message\":\"disk0: synced\"}", sync.body());
    ConsolePage.Response umount = post(true, "umount", "disk0");
    assertEquals(200, umount.status());
    assertEquals("{\"ok\":true,\"message\":\"disk0: unmounted\"}", umount.body());
    assertEquals(List.of("sync", "unmount"), done);
  }

  @Test
  void post_badRequests_are400() throws IOException {
    assertEquals(400, post(true, "format", "disk0").status());
    assertEquals(400, post(true, null, "disk0").status());
    ConsolePage.Response noDevice = post(true, "sync", null);
    assertEquals(400, noDevice.status());
    assertEquals("{\"ok\":false,\"message\":\"no device named\"}", noDevice.body());
    assertTrue(done.isEmpty());
  }

  @Test
  void post_whatTheMountTableRefuses_is409() throws IOException {
    ConsolePage.Response r = post(true, "sync", "disk1");
    assertEquals(409, r.status());
    assertEquals("{\"ok\":false,\"message\":\"disk1: not mounted\"}", r.body());
    mounts = null;
    assertEquals(409, post(true, "umount", "disk0").status(), "no mount table");
  }

  @Test
  void otherMethods_are405_leftToTheContainer() throws IOException {
    for (String method : new String[] {"PUT", "DELETE", "HEAD"}) {
      ConsolePage.Response r = page.handle(method, "/data.json", true, name -> "sync");
      assertEquals(405, r.status());
      assertTrue(r.isError());
      assertNull(r.contentType());
    }
    assertFalse(capture.capturing());
  }
}
