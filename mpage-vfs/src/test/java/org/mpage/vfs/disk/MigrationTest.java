package org.mpage.vfs.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.fs.MigrationInfo;
import org.mpage.api.page.Folio;
import org.mpage.device.ramdisk.RamDisk;

/**
 * The migration below any filesystem: random writes (BIOs of 512 bytes to 64 KiB and {@code
 * rw_page} writes) through a slot while it moves from one RAM disk to another must all be on the
 * target, byte for byte against a model; the dirty-region log; the registry after a switch. {@code
 * -Dmigrate.seed=N} reruns a seed.
 */
class MigrationTest {
  private static final long SEED = Long.getLong("migrate.seed", 20261129L);
  private static final int SIZE = 32 << 20;
  private static final int CHUNK = 64 << 10;

  @Test
  void dirtyRegionLog_marksEveryRegionAWriteTouches() {
    DirtyRegionLog log = new DirtyRegionLog(1000, 128);
    assertEquals(8, log.regions(), "the last region is partial");
    log.mark(127, 2);
    assertEquals(2, log.dirtyRegions());
    assertTrue(log.testAndClear(0));
    assertFalse(log.testAndClear(0));
    assertTrue(log.testAndClear(1));
    log.mark(999, 100); // clipped at the end
    assertEquals(1, log.dirtyRegions());
    log.mark(5, 0);
    assertEquals(1, log.dirtyRegions());
    log.markAll();
    assertEquals(8, log.dirtyRegions());
    assertThrows(IllegalArgumentException.class, () -> new DirtyRegionLog(1000, 100));
  }

  private static BlockStatus io(BlockDevice dev, BioOp op, long sector, ByteBuffer data)
      throws Exception {
    int bytes = data.remaining();
    Bio bio = new Bio(dev, op, Set.of(), (bytes + 4095) / 4096);
    bio.setSector(sector);
    ByteBuffer mem = ByteBuffer.allocateDirect(((bytes + 4095) / 4096) * 4096);
    if (op == BioOp.WRITE) {
      mem.put(0, data, data.position(), bytes);
    }
    for (int i = 0, left = bytes; left > 0; i++, left -= 4096) {
      bio.addFolio(new Folio(null, i, mem.slice(i * 4096, 4096)), Math.min(left, 4096), 0);
    }
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    BlockStatus status = done.get(30, TimeUnit.SECONDS);
    if (op == BioOp.READ) {
      data.put(data.position(), mem, 0, bytes);
    }
    return status;
  }

  private static byte[] contents(BlockDevice dev, int bytes) throws Exception {
    byte[] out = new byte[bytes];
    for (int at = 0; at < bytes; at += 1 << 20) {
      assertEquals(
          BlockStatus.OK, io(dev, BioOp.READ, at / 512, ByteBuffer.wrap(out, at, 1 << 20)));
    }
    return out;
  }

  /** A target whose writes take a millisecond longer: the copy spans many writes. */
  private static BlockDevice slow(BlockDevice lower) {
    return new ForwardingBlockDevice() {
      @Override
      protected BlockDevice delegate() {
        return lower;
      }

      @Override
      public void submit(Bio bio) {
        if (bio.op() == BioOp.WRITE) {
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        lower.submit(bio);
      }
    };
  }

  /**
   * Three writers, each owning every third 64 KiB chunk, write random runs inside their chunks
   * (from 512 bytes to the whole chunk, a quarter of them as rw_page page writes) and keep the
   * model of what the device acknowledged; the copy runs meanwhile.
   */
  @Test
  void randomWritesDuringTheCopy_allReachTheTarget() throws Exception {
    System.out.println("MigrationTest seed " + SEED + " (-Dmigrate.seed=N to rerun)");
    Random init = new Random(SEED);
    byte[] model = new byte[SIZE];
    init.nextBytes(model);
    RamDisk source = new RamDisk("d0", SIZE);
    for (int at = 0; at < SIZE; at += 1 << 20) {
      io(source, BioOp.WRITE, at / 512, ByteBuffer.wrap(model, at, 1 << 20));
    }
    RamDisk target = new RamDisk("t1", SIZE + (1 << 20));
    ScheduledExecutorService lands = Executors.newScheduledThreadPool(2);
    DeviceSlot slot = new DeviceSlot("d0", late(source, lands), 10_000);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<Integer>> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int writer = w;
      Random random = new Random(SEED * 31 + w);
      writers.add(
          pool.submit(
              () -> {
                int writes = 0;
                while (!stop.get()) {
                  int chunk = writer + 3 * random.nextInt(SIZE / CHUNK / 3);
                  int at;
                  int length;
                  BlockStatus status;
                  if (slot.hasRwPage() && random.nextInt(4) == 0) {
                    at = chunk * CHUNK + 4096 * random.nextInt(CHUNK / 4096);
                    length = 4096;
                    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(4096));
                    byte[] data = new byte[4096];
                    random.nextBytes(data);
                    page.rawMemory().put(0, data);
                    status = slot.rwPage(BioOp.WRITE, at / 512, page);
                    if (status == BlockStatus.NOTSUPP) {
                      status = io(slot, BioOp.WRITE, at / 512, ByteBuffer.wrap(data));
                    }
                    System.arraycopy(data, 0, model, at, length);
                  } else {
                    int first = random.nextInt(CHUNK / 512);
                    int sectors = 1 + random.nextInt(CHUNK / 512 - first);
                    at = chunk * CHUNK + first * 512;
                    length = sectors * 512;
                    byte[] data = new byte[length];
                    random.nextBytes(data);
                    status = io(slot, BioOp.WRITE, at / 512, ByteBuffer.wrap(data));
                    System.arraycopy(data, 0, model, at, length);
                  }
                  assertEquals(BlockStatus.OK, status);
                  writes++;
                }
                return writes;
              }));
    }
    Thread.sleep(20);
    Migration migration = new Migration(slot, slow(target), 10_000, null, null);
    migration.start();
    assertTrue(migration.await(60_000), "the migration ended within 60 s");
    MigrationInfo done = migration.info();
    System.out.println("  " + done);
    assertEquals(MigrationInfo.State.DONE, done.state(), done.reason());
    byte[] sourceAtSwitch = contents(source, SIZE);
    Thread.sleep(50); // writes after the switch
    stop.set(true);
    int writes = 0;
    for (Future<Integer> f : writers) {
      writes += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    System.out.println("  " + writes + " writes");
    assertTrue(writes > 100, "writes ran during the copy: " + writes);
    assertEquals(DeviceSlot.State.ACTIVE, slot.state());
    assertTrue(slot.backend() != source, "the slot runs on the target");
    assertArrayEquals(model, contents(target, SIZE), "every acknowledged write is on the target");
    assertArrayEquals(sourceAtSwitch, contents(source, SIZE), "nothing reached the source since");
    slot.close();
    lands.shutdown();
  }

  /**
   * A source whose writes land up to half a millisecond after they are submitted, on another
   * thread, as a disk's queue does: a copier reading a region between a write's submission and its
   * landing must find the region marked again afterwards.
   */
  private static BlockDevice late(BlockDevice lower, ScheduledExecutorService lands) {
    return new ForwardingBlockDevice() {
      @Override
      protected BlockDevice delegate() {
        return lower;
      }

      @Override
      public void submit(Bio bio) {
        if (bio.op() == BioOp.WRITE) {
          Future<?> unused =
              lands.schedule(
                  () -> lower.submit(bio),
                  ThreadLocalRandom.current().nextInt(500),
                  TimeUnit.MICROSECONDS);
        } else {
          lower.submit(bio);
        }
      }
    };
  }

  @Test
  void afterASwitch_theTargetsNameServesTheSlot() throws Exception {
    DeviceRegistry registry = new DeviceRegistry(10_000);
    RamDisk source = new RamDisk("d0", 1 << 20);
    RamDisk target = new RamDisk("t1", 2 << 20); // larger: the slot keeps its size
    registry.deviceAdded(source, 0);
    registry.deviceAdded(target, 0);
    DeviceSlot slot = registry.slot("d0");
    assertSame(target, registry.claim("t1"));
    IOException twice = assertThrows(IOException.class, () -> registry.claim("t1"));
    assertEquals("t1: in use as the backend of a migration in progress", twice.getMessage());
    IOException mount = assertThrows(IOException.class, () -> registry.slot("t1"));
    assertEquals("t1: in use as the backend of a migration in progress", mount.getMessage());
    Migration migration =
        new Migration(
            slot,
            target,
            10_000,
            old -> registry.migrated("d0", "t1"),
            () -> {
              registry.unclaim("t1");
            });
    migration.start();
    assertTrue(migration.await(10_000));
    assertEquals(MigrationInfo.State.DONE, migration.info().state());
    assertSame(target, slot.backend());
    IOException inUse = assertThrows(IOException.class, () -> registry.slot("t1"));
    assertEquals("t1: in use as the backend of d0", inUse.getMessage());
    registry.deviceRemoved(source); // the old backend leaving concerns the slot no more
    assertSame(target, slot.backend());
    registry.deviceRemoved(target); // the target leaving suspends it, as a swap does
    assertEquals(DeviceSlot.State.SUSPENDED, slot.state());
    BlockDevice back = new DeviceRegistryTest.Offered(target);
    registry.deviceAdded(back, 0);
    assertSame(back, slot.backend(), "the larger target swaps back in under its own name");
    assertEquals(1 << 20, slot.capacitySectors() * 512);
    assertEquals(BlockStatus.OK, io(slot, BioOp.WRITE, 0, ByteBuffer.allocate(4096)));
    registry.release("d0");
    assertNull(
        registry.devices().stream()
            .filter(d -> d.name().equals("t1"))
            .findFirst()
            .filter(d -> d.state() != org.mpage.api.fs.DeviceInfo.SwapState.UNUSED)
            .orElse(null));
    registry.close();
  }
}
