package org.mpage.vfs.mount;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MigrationInfo;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.mpage.vfs.disk.DeviceRegistry;
import org.mpage.vfs.disk.DeviceSlot;
import org.mpage.vfs.disk.Migration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount table over a {@link DeviceRegistry}: each mount holds its device name's swap slot, and
 * the slot's identity check is the filesystem type's {@link FileSystemType#identity}, taken when
 * the filesystem was mounted. Filesystem types and backends are fed in by whoever tracks them (the
 * OSGi component, or a test). Mount, unmount and format are serialised; I/O is not.
 */
public final class MountTable implements Mounts, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MountTable.class);

  private record Mount(
      String device,
      FileSystemType type,
      FileSystem fs,
      DeviceSlot slot,
      boolean readOnly,
      String identity) {}

  private final StorageEngine engine;
  private final DeviceRegistry registry;
  private final long swapTimeoutMillis;

  /** The migration of each device name running, or the last one that ended. */
  private final Map<String, Migration> migrations = new TreeMap<>();

  private final Map<String, FileSystemType> types = new ConcurrentHashMap<>();
  private final Map<String, Mount> mounts = new TreeMap<>();

  public MountTable(StorageEngine engine, long swapTimeoutMillis) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.registry = new DeviceRegistry(swapTimeoutMillis);
    this.swapTimeoutMillis = swapTimeoutMillis;
  }

  /** A backend arrived (with its {@code service.ranking}). */
  public void deviceAdded(BlockDevice device, int ranking) {
    registry.deviceAdded(device, ranking);
  }

  /** A backend is leaving; a slot it served is suspended until another one attaches. */
  public void deviceRemoved(BlockDevice device) {
    registry.deviceRemoved(device);
  }

  public void typeAdded(FileSystemType type) {
    types.put(type.name(), type);
  }

  /** A filesystem type is leaving: its mounts are synced and unmounted first. */
  public void typeRemoved(FileSystemType type) {
    List<String> gone = new ArrayList<>();
    synchronized (this) {
      types.remove(type.name(), type);
      for (Mount m : mounts.values()) {
        if (m.type() == type) {
          gone.add(m.device());
        }
      }
    }
    for (String device : gone) {
      try {
        resumeForUnmount(device);
        unmount(device);
      } catch (IOException e) {
        LOG.warn(
            "unmounting {} as its filesystem type {} left: {}", device, type.name(), e.toString());
      }
    }
  }

  @Override
  public synchronized FileSystem mount(String typeName, String device, MountOptions options)
      throws IOException {
    FileSystemType type = type(typeName);
    if (mounts.containsKey(device)) {
      throw new IOException(device + ": already mounted");
    }
    DeviceSlot slot = registry.slot(device);
    try {
      Optional<String> identity = type.identity(slot, engine);
      identity.ifPresent(
          id -> slot.setIdentityCheck(candidate -> sameIdentity(type, id, candidate)));
      FileSystem fs = type.mount(slot, engine, options);
      mounts.put(
          device, new Mount(device, type, fs, slot, options.readOnly(), identity.orElse("")));
      LOG.info("mounted {} on {} ({})", typeName, device, options.readOnly() ? "ro" : "rw");
      return fs;
    } catch (IOException | RuntimeException e) {
      engine.forgetDevice(slot);
      registry.release(device);
      throw e;
    }
  }

  private boolean sameIdentity(FileSystemType type, String id, BlockDevice candidate) {
    try {
      return type.identity(candidate, engine).map(id::equals).orElse(false);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: cannot read the identity of {}: {}", type.name(), candidate, e.toString());
      return false;
    }
  }

  @Override
  public synchronized void unmount(String device) throws IOException {
    Mount held = mounts.get(device);
    if (held != null && held.slot().held()) {
      // The unmount's sync would wait for the resume.
      throw new IOException(device + ": suspended; resume it first");
    }
    Mount m = mounts.remove(device);
    if (m == null) {
      throw new IOException(device + ": not mounted");
    }
    stopMigration(device);
    try {
      m.fs().close();
    } catch (Exception e) {
      throw e instanceof IOException io ? io : new IOException(device + ": unmount: " + e, e);
    } finally {
      engine.forgetDevice(m.slot());
      registry.release(device);
      LOG.info("unmounted {}", device);
    }
  }

  @Override
  public synchronized FileSystem fileSystem(String device) throws IOException {
    Mount m = mounts.get(device);
    if (m == null) {
      throw new IOException(device + ": not mounted");
    }
    return m.fs();
  }

  @Override
  public synchronized void format(String typeName, String device, Map<String, String> options)
      throws IOException {
    FileSystemType type = type(typeName);
    if (mounts.containsKey(device)) {
      throw new IOException(device + ": mounted; unmount it first");
    }
    DeviceSlot slot = registry.slot(device);
    try {
      type.format(slot, engine, options);
    } finally {
      engine.forgetDevice(slot);
      registry.release(device);
    }
  }

  @Override
  public synchronized List<MountInfo> mounts() {
    List<MountInfo> out = new ArrayList<>();
    for (Mount m : mounts.values()) {
      out.add(new MountInfo(m.device(), m.type().name(), m.readOnly(), m.identity()));
    }
    return out;
  }

  @Override
  public List<DeviceInfo> devices() {
    return registry.devices();
  }

  @Override
  public List<String> types() {
    List<String> names = new ArrayList<>(types.keySet());
    names.sort(null);
    return names;
  }

  /**
   * Starts the live migration of the mounted {@code device} to the backend offered under {@code
   * target} (see {@link Migration}). The target is claimed at once, so that nothing mounts it or
   * migrates to it meanwhile; a target smaller than the device, or with larger logical blocks, is
   * refused here before anything is copied.
   */
  @Override
  public synchronized MigrationInfo migrate(String device, String target) throws IOException {
    Mount m = mounts.get(device);
    if (m == null) {
      throw new IOException(device + ": not mounted");
    }
    Migration running = migrations.get(device);
    if (running != null && !running.info().state().isFinal()) {
      throw new IOException(device + ": migrating to " + running.info().target() + " already");
    }
    if (m.slot().held()) {
      throw new IOException(device + ": suspended; resume it first");
    }
    DeviceSlot slot = m.slot();
    BlockDevice to = registry.claim(target);
    boolean started = false;
    try {
      if (to.capacitySectors() < slot.capacitySectors()) {
        throw new IOException(
            target
                + ": "
                + to.capacitySectors()
                + " sectors, smaller than "
                + device
                + "'s "
                + slot.capacitySectors());
      }
      if (to.logicalBlockSize() > slot.logicalBlockSize()) {
        throw new IOException(
            target
                + ": logical block size "
                + to.logicalBlockSize()
                + ", larger than "
                + device
                + "'s "
                + slot.logicalBlockSize());
      }
      Migration migration =
          new Migration(
              slot,
              to,
              swapTimeoutMillis,
              source -> registry.migrated(device, target),
              () -> registry.unclaim(target));
      migrations.put(device, migration);
      migration.start();
      started = true;
      LOG.info("{}: migrating to {}", device, target);
      return migration.info();
    } finally {
      if (!started) {
        registry.unclaim(target);
      }
    }
  }

  @Override
  public MigrationInfo cancelMigration(String device) throws IOException {
    Migration migration;
    synchronized (this) {
      migration = migrations.get(device);
    }
    if (migration == null) {
      throw new IOException(device + ": no migration");
    }
    try {
      return migration.cancel(swapTimeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(device + ": interrupted while cancelling the migration", e);
    }
  }

  @Override
  public synchronized List<MigrationInfo> migrations() {
    List<MigrationInfo> out = new ArrayList<>();
    for (Migration migration : migrations.values()) {
      out.add(migration.info());
    }
    return out;
  }

  @Override
  public void suspend(String device) throws IOException {
    Mount m;
    synchronized (this) {
      m = suspendable(device);
    }
    // Outside the table's lock: a sync of much dirty data takes a while, and other mounts go on.
    m.fs().sync();
    synchronized (this) {
      // Held under the table's lock, so that an unmount or a migration either came first (and
      // the checks fail) or sees the device held and refuses: neither can start its I/O unseen
      // and then wait for ever on a hold. The drain is bounded by the swap timeout.
      if (!suspendable(device).equals(m)) {
        throw new IOException(device + ": not mounted");
      }
      try {
        int left = m.slot().suspend();
        if (left > 0) {
          LOG.warn("{}: suspended with {} BIOs still at the backend", device, left);
        }
      } catch (IllegalStateException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }

  /** The mount of {@code device} if it can be suspended now; the caller holds the table's lock. */
  private Mount suspendable(String device) throws IOException {
    Mount m = mounts.get(device);
    if (m == null) {
      throw new IOException(device + ": not mounted");
    }
    Migration running = migrations.get(device);
    if (running != null && !running.info().state().isFinal()) {
      throw new IOException(device + ": migrating to " + running.info().target());
    }
    if (m.slot().held()) {
      throw new IOException(device + ": suspended already");
    }
    return m;
  }

  @Override
  public void resume(String device) throws IOException {
    Mount m;
    synchronized (this) {
      m = mounts.get(device);
    }
    if (m == null) {
      throw new IOException(device + ": not mounted");
    }
    try {
      m.slot().resume();
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Resumes {@code device} if suspended, so that going away does not wait for an operator. */
  private void resumeForUnmount(String device) {
    Mount m;
    synchronized (this) {
      m = mounts.get(device);
    }
    if (m != null && m.slot().held()) {
      LOG.warn("{}: resumed to be unmounted", device);
      try {
        m.slot().resume();
      } catch (IllegalStateException e) {
        // resumed meanwhile
      }
    }
  }

  /** Cancels a migration of {@code device} still running before its mount goes. */
  private void stopMigration(String device) {
    Migration migration = migrations.remove(device);
    if (migration != null && !migration.info().state().isFinal()) {
      try {
        migration.cancel(swapTimeoutMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private FileSystemType type(String name) throws IOException {
    FileSystemType type = types.get(name);
    if (type == null) {
      throw new IOException("unknown filesystem type " + name + "; known: " + types());
    }
    return type;
  }

  /** Unmounts everything (syncing each filesystem) and closes the slots. */
  @Override
  public void close() {
    List<String> devices;
    synchronized (this) {
      devices = new ArrayList<>(mounts.keySet());
    }
    for (String device : devices) {
      try {
        resumeForUnmount(device);
        unmount(device);
      } catch (IOException e) {
        LOG.warn("unmounting {}: {}", device, e.toString());
      }
    }
    registry.close();
  }
}
