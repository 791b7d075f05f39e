package org.mpage.webconsole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;

/**
 * The page's actions against a mount table that records what it is asked (the real table's suspend
 * and resume are Ext2SuspendTest's in fs-ext2): each action reaches the one call it names, and a
 * sync of a held device is refused instead of waiting for the resume.
 */
class ConsoleDataActionsTest {
  private final List<String> calls = new ArrayList<>();
  private DeviceInfo.SwapState state = DeviceInfo.SwapState.ACTIVE;

  private final Mounts mounts =
      new Mounts() {
        @Override
        public FileSystem mount(String type, String device, MountOptions options) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void unmount(String device) {
          calls.add("unmount " + device);
        }

        @Override
        public FileSystem fileSystem(String device) throws IOException {
          throw new IOException("fileSystem " + device + " asked");
        }

        @Override
        public void format(String type, String device, Map<String, String> options) {
          throw new UnsupportedOperationException();
        }

        @Override
        public List<MountInfo> mounts() {
          return List.of(new MountInfo("disk0", "ext2", false, "uuid"));
        }

        @Override
        public List<DeviceInfo> devices() {
          return List.of(new DeviceInfo("disk0", 1, state, 16384, 0, 0, null));
        }

        @Override
        public List<String> types() {
          return List.of("ext2");
        }

        @Override
        public void suspend(String device) {
          calls.add("suspend " + device);
          state = DeviceInfo.SwapState.HELD;
        }

        @Override
        public void resume(String device) {
          calls.add("resume " + device);
          state = DeviceInfo.SwapState.ACTIVE;
        }
      };

  @Test
  void suspendAndResumeReachTheMountTable() throws IOException {
    assertEquals("disk0: suspended", ConsoleData.act(mounts, "suspend", "disk0"));
    assertEquals("disk0: resumed", ConsoleData.act(mounts, "resume", "disk0"));
    assertEquals("disk0: unmounted", ConsoleData.act(mounts, "umount", "disk0"));
    assertEquals(List.of("suspend disk0", "resume disk0", "unmount disk0"), calls);
  }

  @Test
  void syncOfAHeldDeviceIsRefusedWithoutTouchingIt() throws IOException {
    ConsoleData.act(mounts, "suspend", "disk0");
    IOException refused =
        assertThrows(IOException.class, () -> ConsoleData.act(mounts, "sync", "disk0"));
    assertEquals("disk0: suspended; resume it first", refused.getMessage());
    // Not held, the sync goes to the filesystem (which this table does not have).
    ConsoleData.act(mounts, "resume", "disk0");
    IOException asked =
        assertThrows(IOException.class, () -> ConsoleData.act(mounts, "sync", "disk0"));
    assertEquals("fileSystem disk0 asked", asked.getMessage());
  }

  @Test
  void eachMountCarriesItsShareOfTheCacheCounters() {
    String json =
        ConsoleData.json(
            mounts,
            List.of(),
            0,
            1_000_000_000L,
            pool ->
                pool.equals("disk0")
                    ? Map.of("cache.hits", 5L, "cache.misses", 2L)
                    : Map.of("cache.hits", 99L));
    assertTrue(json.contains("\"identity\":\"uuid\",\"cacheHits\":5,\"cacheMisses\":2}"), json);
    String none = ConsoleData.json(mounts, List.of(), 0, 1_000_000_000L);
    assertTrue(none.contains("\"cacheHits\":0,\"cacheMisses\":0}"), none);
  }

  @Test
  void unknownActionsAndMissingDevicesAreBadRequests() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> ConsoleData.act(mounts, "format", "disk0"))
            .getMessage()
            .contains("unknown action"));
    assertThrows(IllegalArgumentException.class, () -> ConsoleData.act(mounts, "sync", ""));
    assertEquals(List.of(), calls);
  }
}
