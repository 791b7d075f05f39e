package org.mpage.api.fs;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The mount table: filesystems mounted on named block devices (DESIGN.md section 4). A mount binds
 * to a device <em>name</em>, not to one backend: when the backend goes away, I/O waits for one with
 * the same name (and the same filesystem identity) to return, up to the swap timeout. In OSGi this
 * is a service of the core bundle; the Gogo commands of scope {@code mpage} use it.
 */
@ProviderType
public interface Mounts {
  /**
   * Mounts a filesystem of {@code type} on the device named {@code device}.
   *
   * @throws IOException if the type or the device is unknown, the device is mounted already, or the
   *     filesystem refuses the device (corrupt, unsupported features)
   */
  FileSystem mount(String type, String device, MountOptions options) throws IOException;

  /** Syncs and unmounts the filesystem on {@code device}; the device stays. */
  void unmount(String device) throws IOException;

  /**
   * The filesystem mounted on {@code device}.
   *
   * @throws IOException if nothing is mounted there
   */
  FileSystem fileSystem(String device) throws IOException;

  /** Writes a new, empty filesystem of {@code type} over a device that is not mounted. */
  void format(String type, String device, Map<String, String> options) throws IOException;

  /** The mounts, by device name. */
  List<MountInfo> mounts();

  /** Every device name with a backend on offer or in use, by name. */
  List<DeviceInfo> devices();

  /** The filesystem types available, by name. */
  List<String> types();

  /**
   * Starts moving the mounted {@code device} to the backend offered under the name {@code target}
   * (one not in use, at least as large) while the filesystem stays mounted: the device is copied in
   * the background, regions written meanwhile are copied again, and after a short suspend the
   * device switches to the target, whose filesystem identity must be the source's. Returns at once;
   * {@link #migrations()} shows the progress. A cancelled or failed migration leaves the source in
   * use and nothing switched. The default refuses.
   *
   * @throws IOException if {@code device} is not mounted or is migrating already, or the target is
   *     unknown, in use or too small
   */
  default MigrationInfo migrate(String device, String target) throws IOException {
    throw new IOException(device + ": this mount table cannot migrate devices");
  }

  /**
   * Cancels the running migration of {@code device}; the source stays in use. Returns its state
   * after the copier stopped (already {@code DONE} if the switch had happened).
   *
   * @throws IOException if no migration of {@code device} is known
   */
  default MigrationInfo cancelMigration(String device) throws IOException {
    throw new IOException(device + ": no migration");
  }

  /** The migrations running and the last one of each device that ended, by device name. */
  default List<MigrationInfo> migrations() {
    return List.of();
  }

  /**
   * Suspends the I/O of the mounted {@code device}, as {@code sync} followed by {@code dmsetup
   * suspend --nolockfs}: the filesystem is synced, then every new BIO waits in the device's slot
   * until {@link #resume}, and this returns once the I/O already at the backend has completed. The
   * backend sees nothing meanwhile (to copy or snapshot it, say); reads served from the page cache
   * go on, those that need the device wait. An unmount is refused until the device is resumed. The
   * default refuses.
   *
   * @throws IOException if {@code device} is not mounted, is suspended already, is migrating, or
   *     the sync failed
   */
  default void suspend(String device) throws IOException {
    throw new IOException(device + ": this mount table cannot suspend devices");
  }

  /**
   * Ends {@link #suspend}: the BIOs that waited go to the backend in their order.
   *
   * @throws IOException if {@code device} is not mounted or not suspended by {@link #suspend}
   */
  default void resume(String device) throws IOException {
    throw new IOException(device + ": not suspended");
  }
}
