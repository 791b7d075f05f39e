package org.mpage.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.DiskStats;
import org.mpage.api.block.StackedDeviceProvider;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.mpage.fileops.FileOps;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The Gogo commands of scope {@code mpage} (they work in Karaf's shell too): devices and their
 * counters, the swap state of each slot, mounts, and file operations on a mounted device. Output is
 * written to the session's stream rather than returned, because Karaf's batch client prints only
 * what a command writes; {@code cat} writes the file's bytes as they are. The file commands are
 * {@link FileCommands}, over the file-operations layer the command line uses too: {@code ls -l},
 * {@code stat -l}, {@code info} and {@code cat} print what {@code ./mpage} prints.
 *
 * <p>Devices are made and removed through Configuration Admin factory configurations. Which factory
 * PID makes a device type is the device bundle's to say: each one registers a {@link
 * BlockDeviceProvider} service whose {@link BlockDeviceProvider#factoryPid()} names it, and the
 * commands use the providers present.
 */
@Component(
    service = MpageCommands.class,
    property = {
      "osgi.command.scope=mpage",
      "osgi.command.function=types",
      "osgi.command.function=ramdisk",
      "osgi.command.function=filedevice",
      "osgi.command.function=rmdevice",
      "osgi.command.function=devicetypes",
      "osgi.command.function=device",
      "osgi.command.function=fault",
      "osgi.command.function=devices",
      "osgi.command.function=slots",
      "osgi.command.function=mounts",
      "osgi.command.function=mount",
      "osgi.command.function=umount",
      "osgi.command.function=mkfs",
      "osgi.command.function=info",
      "osgi.command.function=ls",
      "osgi.command.function=cat",
      "osgi.command.function=put",
      "osgi.command.function=get",
      "osgi.command.function=stat",
      "osgi.command.function=mkdir",
      "osgi.command.function=rm",
      "osgi.command.function=sync",
      "osgi.command.function=suspend",
      "osgi.command.function=resume",
      "osgi.command.function=migrate",
      "osgi.command.function=migrations"
    })
public final class MpageCommands {
  private static final long DEVICE_WAIT_MILLIS = 30_000;
  private static final long PROGRESS_MILLIS = 1_000;

  private final Mounts mounts;
  private final StorageEngine engine;
  private final Supplier<PrintStream> out;
  private final FileCommands files;
  private final DeviceConfigs devices;
  private final SlotCommands slot;

  @Activate
  public MpageCommands(
      @Reference Mounts mounts,
      @Reference StorageEngine engine,
      @Reference(
              cardinality = ReferenceCardinality.OPTIONAL,
              policyOption = ReferencePolicyOption.GREEDY)
          ConfigurationAdmin cm) {
    this(mounts, engine, cm, () -> System.out, () -> System.err, DEVICE_WAIT_MILLIS);
  }

  /**
   * With the stream {@code cat} writes to; for tests. Without Configuration Admin ({@code cm} null)
   * the device commands say so.
   */
  public MpageCommands(
      Mounts mounts, StorageEngine engine, ConfigurationAdmin cm, Supplier<PrintStream> out) {
    this(mounts, engine, cm, out, () -> System.err, DEVICE_WAIT_MILLIS);
  }

  /** As above, waiting at most {@code waitMillis} for a device or a device type to come. */
  MpageCommands(
      Mounts mounts,
      StorageEngine engine,
      ConfigurationAdmin cm,
      Supplier<PrintStream> out,
      long waitMillis) {
    this(mounts, engine, cm, out, () -> System.err, waitMillis);
  }

  /**
   * As above, with the stream a file command writes the entries it could not handle to (one line
   * {@code mpage: <path>: <reason>} each).
   */
  MpageCommands(
      Mounts mounts,
      StorageEngine engine,
      ConfigurationAdmin cm,
      Supplier<PrintStream> out,
      Supplier<PrintStream> err,
      long waitMillis) {
    this.mounts = mounts;
    this.engine = engine;
    this.out = out;
    this.devices = new DeviceConfigs(mounts, cm, waitMillis);
    this.files = new FileCommands(mounts, out, err);
    this.slot = new SlotCommands(mounts, out, PROGRESS_MILLIS);
  }

  /** A device bundle's provider arrived: its type can now be created. */
  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  public void addDeviceProvider(BlockDeviceProvider provider) {
    devices.addProvider(provider);
  }

  public void removeDeviceProvider(BlockDeviceProvider provider) {
    devices.removeProvider(provider);
  }

  /** Creates a RAM disk (a factory configuration of the {@code ramdisk} device bundle's PID). */
  public void ramdisk(String name, String size) throws IOException, InterruptedException {
    devices.create("ramdisk", name, Map.of("size", size));
    print(name + ": " + size + " RAM disk");
  }

  /**
   * Exposes an image file as a device (a factory configuration of the {@code file} device bundle's
   * PID).
   */
  public void filedevice(String name, String path) throws IOException, InterruptedException {
    filedevice(name, path, "rw");
  }

  /** As {@link #filedevice(String, String)}, {@code ro} for a read-only device. */
  public void filedevice(String name, String path, String mode)
      throws IOException, InterruptedException {
    if (!mode.equals("ro") && !mode.equals("rw")) {
      throw new IllegalArgumentException("mode must be ro or rw: " + mode);
    }
    String image = Path.of(path).toAbsolutePath().toString();
    devices.create("file", name, Map.of("path", image, "read.only", mode.equals("ro")));
    print(name + ": " + image + (mode.equals("ro") ? " (ro)" : ""));
  }

  /**
   * The device types the device bundles present offer: type, factory PID, and whether a device of
   * the type is stacked on another ({@code fault} makes those).
   */
  public void devicetypes() {
    StringBuilder sb =
        new StringBuilder(String.format("%-10s %-32s %s%n", "TYPE", "FACTORY PID", "STACKED"));
    for (BlockDeviceProvider p : devices.providersByType().values()) {
      sb.append(
          String.format(
              "%-10s %-32s %s%n",
              p.type(), p.factoryPid(), p instanceof StackedDeviceProvider ? "yes" : "no"));
    }
    print(sb.toString().stripTrailing());
  }

  /**
   * Creates a device of any type present: a factory configuration of its provider's PID with {@code
   * device.name} and the {@code key=value} options ({@code _} in a key is {@code .}, as DS maps
   * configuration attributes to properties). A {@code lower=NAME} option (a stacked device's lower
   * device) also sets {@code lower.target=(device.name=NAME)}, the DS reference target that binds
   * it.
   */
  public void device(String type, String name, String... options)
      throws IOException, InterruptedException {
    Map<String, Object> props = new TreeMap<>();
    for (String option : options) {
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("options are key=value: " + option);
      }
      // A DS configuration attribute down_ms() reads property down.ms: take either spelling.
      props.put(option.substring(0, eq).replace('_', '.'), option.substring(eq + 1));
    }
    Object lower = props.get("lower");
    if (lower != null) {
      props.put("lower.target", "(device.name=" + lower + ")");
    }
    devices.create(type, name, props);
    print(name + ": " + type + (lower != null ? " on " + lower : ""));
  }

  /**
   * Stacks a fault-injection target ({@code flakey}, {@code dust}, {@code delay}) named {@code
   * name} on the device {@code lower}: {@code device TARGET NAME lower=LOWER key=value...}.
   */
  public void fault(String target, String name, String lower, String... options)
      throws IOException, InterruptedException {
    String[] all = java.util.Arrays.copyOf(options, options.length + 1);
    all[options.length] = "lower=" + lower;
    device(target, name, all);
  }

  /**
   * Deletes the configurations that made backends named {@code name}. A filesystem mounted on it
   * stays mounted, its I/O suspended until a backend of that name returns or the swap times out.
   */
  public void rmdevice(String name) throws IOException, InterruptedException {
    devices.remove(name);
    print(name + ": removed");
  }

  /** Command output goes to the session's stream: Gogo and Karaf print it in every mode. */
  private void print(String text) {
    PrintStream o = out.get();
    o.println(text);
    o.flush();
  }

  /** The filesystem types available. */
  public void types() {
    print(String.join("\n", mounts.types()));
  }

  /** Each device name: swap state, backends, size and diskstats-like counters. */
  public void devices() {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "%-12s %-9s %8s %10s %9s %9s %9s %9s %9s %7s%n",
                "DEVICE",
                "STATE",
                "BACKENDS",
                "SIZE",
                "READS",
                "RSECTORS",
                "WRITES",
                "WSECTORS",
                "FLUSHES",
                "INFLIGHT"));
    for (DeviceInfo d : mounts.devices()) {
      DiskStats s = d.stats();
      sb.append(
          String.format(
              "%-12s %-9s %8d %10s %9d %9d %9d %9d %9d %7d%n",
              d.name(),
              d.state(),
              d.backends(),
              size(d.capacitySectors() * 512),
              s.readsCompleted(),
              s.sectorsRead(),
              s.writesCompleted(),
              s.sectorsWritten(),
              s.flushesCompleted(),
              s.inFlight()));
    }
    print(sb.toString().stripTrailing());
  }

  /** The swap state of each device name: attached, held, suspended with BIOs waiting, or failed. */
  public void slots() {
    slot.slots();
  }

  /** The mounts. */
  public void mounts() {
    StringBuilder sb =
        new StringBuilder(String.format("%-12s %-6s %-4s %s%n", "DEVICE", "TYPE", "MODE", "ID"));
    for (MountInfo m : mounts.mounts()) {
      sb.append(
          String.format(
              "%-12s %-6s %-4s %s%n",
              m.device(), m.type(), m.readOnly() ? "ro" : "rw", m.identity()));
    }
    print(sb.toString().stripTrailing());
  }

  /** Mounts read-write. */
  public void mount(String type, String device) throws IOException {
    mount(type, device, "rw");
  }

  /** Mounts with {@code options}: {@code ro} or {@code rw}, then {@code key=value}s, commas. */
  public void mount(String type, String device, String options) throws IOException {
    boolean readOnly = false;
    Map<String, String> extra = new HashMap<>();
    for (String o : options.split(",", -1)) {
      String opt = o.trim();
      if (opt.equals("ro")) {
        readOnly = true;
      } else if (opt.equals("rw")) {
        readOnly = false;
      } else if (opt.contains("=")) {
        extra.put(opt.substring(0, opt.indexOf('=')), opt.substring(opt.indexOf('=') + 1));
      } else if (!opt.isEmpty()) {
        throw new IllegalArgumentException("mount option must be ro, rw or key=value: " + opt);
      }
    }
    FileSystem fs = mounts.mount(type, device, new MountOptions(readOnly, extra));
    print(device + ": " + type + " " + fs.info().uuid() + (readOnly ? " (ro)" : " (rw)"));
  }

  public void umount(String device) throws IOException {
    mounts.unmount(device);
    print(device + ": unmounted");
  }

  /** Formats with the type's default options. */
  public void mkfs(String type, String device) throws IOException {
    mounts.format(type, device, Map.of());
    print(device + ": new " + type);
  }

  /** Formats with the given block size. */
  public void mkfs(String type, String device, int blockSize) throws IOException {
    mounts.format(type, device, Map.of("block.size", Integer.toString(blockSize)));
    print(device + ": new " + type + ", " + blockSize + "-byte blocks");
  }

  /**
   * The engine's I/O statistics (BIOs, sectors, merges, get_block calls, buffer-path fallbacks,
   * cache hits and misses) and every device's counters.
   */
  public void stat() {
    StringBuilder sb = new StringBuilder();
    engine.statistics().forEach((k, v) -> sb.append(String.format("%-22s %d%n", k, v)));
    for (DeviceInfo d : mounts.devices()) {
      sb.append(d.stats().format("device " + d.name())).append('\n');
    }
    print(sb.toString().stripTrailing());
  }

  /** One device's counters, as {@code /proc/diskstats} names them. */
  public void stat(String device) throws IOException {
    DeviceInfo d = devices.find(device);
    if (d == null) {
      throw new IOException(device + ": no such device");
    }
    DiskStats s = d.stats();
    print(
        String.join(
            "\n",
            "device:          " + d.name() + " (" + d.state() + ")",
            "reads:           " + s.readsCompleted() + " (" + s.readsMerged() + " merged)",
            "sectors read:    " + s.sectorsRead(),
            "writes:          " + s.writesCompleted() + " (" + s.writesMerged() + " merged)",
            "sectors written: " + s.sectorsWritten(),
            "flushes:         " + s.flushesCompleted(),
            "in flight:       " + s.inFlight(),
            "read ms:         " + s.readTimeMs() + "  write ms: " + s.writeTimeMs()));
  }

  // ---- file commands: FileCommands, over the file-operations layer ----

  /** The superblock summary of a mounted filesystem, as the command line's {@code info}. */
  public void info(String device) throws IOException {
    files.info(device);
  }

  public void ls(String device) throws IOException {
    files.ls(device, "/", FileOps.Listing.SIZES);
  }

  /** One line per entry: type, size and name. */
  public void ls(String device, String path) throws IOException {
    files.ls(device, path, FileOps.Listing.SIZES);
  }

  /** With {@code -l}: the command line's {@code ls -l}. */
  public void ls(String option, String device, String path) throws IOException {
    FileCommands.option("ls", option, "-l");
    files.ls(device, path, FileOps.Listing.LONG);
  }

  /** The file's bytes, written to the shell's output. */
  public void cat(String device, String path) throws IOException {
    files.cat(device, path);
  }

  /** A file's inode, one field a line: type, mode, links, owner, size, blocks, mtime. */
  public void stat(String device, String path) throws IOException {
    files.stat(device, path, false);
  }

  /** With {@code -l}: the command line's {@code stat}. */
  public void stat(String option, String device, String path) throws IOException {
    FileCommands.option("stat", option, "-l");
    files.stat(device, path, true);
  }

  /** Copies a host file into the filesystem (replacing the target) and syncs it. */
  public void put(String local, String device, String path) throws IOException {
    files.put(local, device, path, false);
  }

  /** With {@code -r}: a host folder and everything under it. */
  public void put(String option, String local, String device, String path) throws IOException {
    files.put(local, device, path, FileCommands.option("put", option, "-r"));
  }

  /** Copies a file out to the host (symlinks kept as symlinks). */
  public void get(String device, String path, String local) throws IOException {
    files.get(device, path, local, false);
  }

  /** With {@code -r}: a directory and everything under it. */
  public void get(String option, String device, String path, String local) throws IOException {
    files.get(device, path, local, FileCommands.option("get", option, "-r"));
  }

  public void mkdir(String device, String path) throws IOException {
    files.mkdir(device, path, false);
  }

  /** With {@code -p}: missing parents too, and no error if the directory exists. */
  public void mkdir(String option, String device, String path) throws IOException {
    files.mkdir(device, path, FileCommands.option("mkdir", option, "-p"));
  }

  /** Removes a file or symlink. */
  public void rm(String device, String path) throws IOException {
    files.rm(device, path, false);
  }

  /** With {@code -r}: a directory and everything under it. */
  public void rm(String option, String device, String path) throws IOException {
    files.rm(device, path, FileCommands.option("rm", option, "-r"));
  }

  public void sync(String device) throws IOException {
    slot.refuseIfHeld(device);
    files.sync(device);
  }

  /** Syncs the mounted device and holds its I/O (new BIOs wait) until {@code resume}. */
  public void suspend(String device) throws IOException {
    slot.suspend(device);
  }

  public void resume(String device) throws IOException {
    slot.resume(device);
  }

  /**
   * {@code migrate DEV TARGET}: moves the mounted DEV to the unused device TARGET while it stays
   * mounted, reporting progress until done; {@code migrate --cancel DEV} stops it.
   */
  public void migrate(String device, String target) throws IOException, InterruptedException {
    if (device.equals("--cancel")) {
      slot.cancel(target);
    } else {
      slot.migrate(device, target, false);
    }
  }

  /** With {@code -b}: starts the migration and returns; {@code migrations} shows it. */
  public void migrate(String option, String device, String target)
      throws IOException, InterruptedException {
    slot.migrate(device, target, FileCommands.option("migrate", option, "-b"));
  }

  /** The migrations running, and the last one of each device that ended. */
  public void migrations() {
    slot.migrations();
  }

  private static String size(long bytes) {
    if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "G";
    }
    if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "M";
    }
    return (bytes >> 10) + "K";
  }
}
