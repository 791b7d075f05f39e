package org.mpage.vfs.osgi;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.MigrationInfo;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.mpage.vfs.mount.MountTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The mount table as a service. It tracks every {@link BlockDevice} service (by {@code device.name}
 * and {@code service.ranking}) and every {@link FileSystemType} service; a device service leaving
 * suspends the mounts on its name until another backend of that name arrives and passes the
 * identity check, or the swap timeout fails the waiting I/O. Configured through PID {@code
 * org.mpage.vfs.mounts}.
 */
@Component(service = Mounts.class, configurationPid = MountService.PID)
@Designate(ocd = MountService.Config.class)
public final class MountService implements Mounts {
  static final String PID = "org.mpage.vfs.mounts";

  /** The mount table's tunables. */
  @ObjectClassDefinition(name = "mpage mounts", description = "Mount table and device swapping")
  public @interface Config {
    @AttributeDefinition(
        name = "Swap timeout",
        description = "How long I/O waits for a replacement backend, milliseconds")
    long swap_timeout_ms() default 30_000;
  }

  private final MountTable table;

  @Activate
  public MountService(Config config, @Reference StorageEngine engine) {
    this.table = new MountTable(engine, config.swap_timeout_ms());
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addDevice(BlockDevice device, Map<String, Object> properties) {
    table.deviceAdded(device, ranking(properties));
  }

  void removeDevice(BlockDevice device) {
    table.deviceRemoved(device);
  }

  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addType(FileSystemType type) {
    table.typeAdded(type);
  }

  void removeType(FileSystemType type) {
    table.typeRemoved(type);
  }

  private static int ranking(Map<String, Object> properties) {
    return properties.get("service.ranking") instanceof Integer i ? i : 0;
  }

  @Deactivate
  void deactivate() {
    table.close();
  }

  @Override
  public FileSystem mount(String type, String device, MountOptions options) throws IOException {
    return table.mount(type, device, options);
  }

  @Override
  public void unmount(String device) throws IOException {
    table.unmount(device);
  }

  @Override
  public FileSystem fileSystem(String device) throws IOException {
    return table.fileSystem(device);
  }

  @Override
  public void format(String type, String device, Map<String, String> options) throws IOException {
    table.format(type, device, options);
  }

  @Override
  public List<MountInfo> mounts() {
    return table.mounts();
  }

  @Override
  public List<DeviceInfo> devices() {
    return table.devices();
  }

  @Override
  public List<String> types() {
    return table.types();
  }

  @Override
  public MigrationInfo migrate(String device, String target) throws IOException {
    return table.migrate(device, target);
  }

  @Override
  public MigrationInfo cancelMigration(String device) throws IOException {
    return table.cancelMigration(device);
  }

  @Override
  public List<MigrationInfo> migrations() {
    return table.migrations();
  }

  @Override
  public void suspend(String device) throws IOException {
    table.suspend(device);
  }

  @Override
  public void resume(String device) throws IOException {
    table.resume(device);
  }
}
