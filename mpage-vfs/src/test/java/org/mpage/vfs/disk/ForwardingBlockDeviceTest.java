package org.mpage.vfs.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.DiskStats;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.page.Folio;
import org.mpage.device.file.FileDeviceComponent;
import org.mpage.device.ramdisk.RamDisk;
import org.mpage.device.ramdisk.RamDiskComponent;

/**
 * Forwarding is written once, in {@link ForwardingBlockDevice}, and the wrappers use it: a method
 * added to {@link BlockDevice} that the base does not forward fails here instead of silently
 * answering the interface default under every mount (as rw_page once did under the slot).
 */
class ForwardingBlockDeviceTest {
  private static List<Method> interfaceMethods() {
    List<Method> out = new ArrayList<>();
    for (Method m : BlockDevice.class.getMethods()) {
      if (!Modifier.isStatic(m.getModifiers())) {
        out.add(m);
      }
    }
    return out;
  }

  @Test
  void everyInterfaceMethodIsOverriddenByTheBase() {
    List<String> missing = new ArrayList<>();
    for (Method m : interfaceMethods()) {
      try {
        Method own =
            ForwardingBlockDevice.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
        assertFalse(Modifier.isAbstract(own.getModifiers()), own + " is abstract");
      } catch (NoSuchMethodException e) {
        missing.add(m.getName() + Arrays.toString(m.getParameterTypes()));
      }
    }
    assertTrue(missing.isEmpty(), "not forwarded by ForwardingBlockDevice: " + missing);
  }

  /** Each call reaches the same method of the delegate, with its arguments, and its answer back. */
  @Test
  void everyCallReachesTheDelegate() throws Exception {
    Map<Class<?>, Object> answers =
        Map.of(
            String.class,
            "dev",
            long.class,
            77L,
            int.class,
            4096,
            boolean.class,
            true,
            BlockStatus.class,
            BlockStatus.AGAIN,
            DiskStats.class,
            new DiskStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    List<String> calls = new ArrayList<>();
    BlockDevice recorder =
        (BlockDevice)
            Proxy.newProxyInstance(
                BlockDevice.class.getClassLoader(),
                new Class<?>[] {BlockDevice.class},
                (proxy, m, args) -> {
                  calls.add(m.getName() + Arrays.toString(args == null ? new Object[0] : args));
                  return answers.get(m.getReturnType());
                });
    ForwardingBlockDevice fwd =
        new ForwardingBlockDevice() {
          @Override
          protected BlockDevice delegate() {
            return recorder;
          }
        };
    for (Method m : interfaceMethods()) {
      Object[] args = new Object[m.getParameterCount()];
      for (int i = 0; i < args.length; i++) {
        Class<?> t = m.getParameterTypes()[i];
        args[i] = t == long.class ? 9L : t == int.class ? 3 : t == BioOp.class ? BioOp.READ : null;
      }
      calls.clear();
      Object answer = m.invoke(fwd, args);
      assertEquals(
          List.of(m.getName() + Arrays.toString(args)), calls, "forwarded as it came: " + m);
      if (m.getReturnType() != void.class) {
        assertEquals(answers.get(m.getReturnType()), answer, "answer of " + m);
      }
    }
  }

  @Test
  void theWrappersExtendTheBase() {
    for (Class<?> c :
        List.of(DeviceSlot.class, RamDiskComponent.class, FileDeviceComponent.class)) {
      assertTrue(ForwardingBlockDevice.class.isAssignableFrom(c), c + " forwards by hand");
    }
    // The DS components forward everything: what they declare beyond the base is lifecycle only.
    for (Class<?> c : List.of(RamDiskComponent.class, FileDeviceComponent.class)) {
      TreeSet<String> own = new TreeSet<>();
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
          own.add(m.getName());
        }
      }
      assertTrue(own.isEmpty(), c + " overrides " + own + " instead of forwarding");
    }
  }

  /** The slot passes on the backend's rw_page while attached, and answers NOTSUPP while not. */
  @Test
  void slotForwardsRwPageAndBlockSize() {
    RamDisk ram = new RamDisk("ram0", 1 << 20);
    DeviceSlot slot = new DeviceSlot("ram0", ram, 1000);
    try {
      Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(Folio.PAGE_SIZE));
      assertTrue(slot.hasRwPage());
      assertEquals(BlockStatus.OK, slot.rwPage(BioOp.READ, 8, page));
      assertEquals(ram.logicalBlockSize(), slot.logicalBlockSize());
      assertEquals(ram.stats(), slot.stats());

      slot.detach();
      assertFalse(slot.hasRwPage(), "no backend, no rw_page");
      assertEquals(
          BlockStatus.NOTSUPP,
          slot.rwPage(BioOp.WRITE, 8, page),
          "suspended: the caller builds a BIO, which waits in the slot's queue");
      assertEquals(DiskStats.ZERO, slot.stats());

      assertTrue(slot.attach(ram));
      assertTrue(slot.hasRwPage());
      assertEquals(BlockStatus.OK, slot.rwPage(BioOp.WRITE, 8, page));
    } finally {
      slot.close();
      ram.close();
    }
  }
}
