package org.mpage.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.block.DiskStats;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.FsInfo;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.Mounts;
import org.mpage.api.fs.StorageEngine;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
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
 * what a command writes; {@code cat} writes the file's bytes as they are.
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
      "osgi.command.function=sync"
    })
public final class MpageCommands {
  private static final int CHUNK = 1 << 20;

  private static final long DEVICE_WAIT_MILLIS = 30_000;

  private final Mounts mounts;
  private final StorageEngine engine;
  private final ConfigurationAdmin cm;
  private final Supplier<PrintStream> out;
  private final long waitMillis;
  private final List<BlockDeviceProvider> providers = new CopyOnWriteArrayList<>();

  /**
   * Every factory PID a provider named since activation: {@link #rmdevice} also removes the
   * configurations of a device bundle that has left (taken out of the deploy folder, say).
   */
  private final Set<String> knownPids = ConcurrentHashMap.newKeySet();

  @Activate
  public MpageCommands(
      @Reference Mounts mounts,
      @Reference StorageEngine engine,
      @Reference(
              cardinality = ReferenceCardinality.OPTIONAL,
              policyOption = ReferencePolicyOption.GREEDY)
          ConfigurationAdmin cm) {
    this(mounts, engine, cm, () -> System.out);
  }

  /**
   * With the stream {@code cat} writes to; for tests. Without Configuration Admin ({@code cm} null)
   * the device commands say so.
   */
  public MpageCommands(
      Mounts mounts, StorageEngine engine, ConfigurationAdmin cm, Supplier<PrintStream> out) {
    this(mounts, engine, cm, out, DEVICE_WAIT_MILLIS);
  }

  /** As above, waiting at most {@code waitMillis} for a device or a device type to come. */
  MpageCommands(
      Mounts mounts,
      StorageEngine engine,
      ConfigurationAdmin cm,
      Supplier<PrintStream> out,
      long waitMillis) {
    this.mounts = mounts;
    this.engine = engine;
    this.cm = cm;
    this.out = out;
    this.waitMillis = waitMillis;
  }

  /** A device bundle's provider arrived: its type can now be created. */
  @Reference(
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  public void addDeviceProvider(BlockDeviceProvider provider) {
    providers.add(provider);
    knownPids.add(provider.factoryPid());
  }

  public void removeDeviceProvider(BlockDeviceProvider provider) {
    providers.remove(provider);
  }

  /** Device type to factory PID, from the providers present (one entry per type). */
  private Map<String, String> deviceTypes() {
    Map<String, String> types = new TreeMap<>();
    for (BlockDeviceProvider p : providers) {
      types.putIfAbsent(p.type(), p.factoryPid());
    }
    return types;
  }

  /**
   * The factory PID of {@code type}'s provider. A device bundle being installed (from a deploy
   * folder, say) is waited for as a device coming up is, at most {@code waitMillis}.
   */
  private String factoryPid(String type) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (true) {
      Map<String, String> types = deviceTypes();
      String pid = types.get(type);
      if (pid != null) {
        return pid;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException(
            "no device bundle of type " + type + " is running; device types: " + types.keySet());
      }
      Thread.sleep(20);
    }
  }

  /** Creates a RAM disk (a factory configuration of the {@code ramdisk} device bundle's PID). */
  public void ramdisk(String name, String size) throws IOException, InterruptedException {
    createDevice("ramdisk", name, Map.of("size", size));
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
    createDevice("file", name, Map.of("path", image, "read.only", mode.equals("ro")));
    print(name + ": " + image + (mode.equals("ro") ? " (ro)" : ""));
  }

  /**
   * Deletes the configurations that made backends named {@code name}. A filesystem mounted on it
   * stays mounted, its I/O suspended until a backend of that name returns or the swap times out.
   */
  public void rmdevice(String name) throws IOException, InterruptedException {
    checkName(name);
    ConfigurationAdmin admin = configurationAdmin();
    int removed = 0;
    for (String pid : new TreeSet<>(knownPids)) {
      Configuration[] found =
          listConfigurations(
              admin, "(&(service.factoryPid=" + pid + ")(device.name=" + name + "))");
      for (Configuration c : found) {
        c.delete();
        removed++;
      }
    }
    if (removed == 0) {
      throw new IOException(name + ": no device configuration with that name");
    }
    awaitDevice(name, d -> d == null || d.backends() == 0);
    print(name + ": removed");
  }

  private void createDevice(String type, String name, Map<String, Object> props)
      throws IOException, InterruptedException {
    checkName(name);
    ConfigurationAdmin admin = configurationAdmin();
    String pid = factoryPid(type);
    if (listConfigurations(admin, "(device.name=" + name + ")").length > 0) {
      throw new IOException(name + ": a device configuration with that name exists");
    }
    Map<String, Object> config = new HashMap<>(props);
    config.put("device.name", name);
    Configuration c = admin.createFactoryConfiguration(pid, "?");
    c.update(FrameworkUtil.asDictionary(config));
    try {
      awaitDevice(name, d -> d != null && d.backends() > 0);
    } catch (IOException e) {
      c.delete();
      throw new IOException(
          name
              + ": the device did not come up (is its bundle deployed and the configuration"
              + " valid? see the log)",
          e);
    }
  }

  /** Command output goes to the session's stream: Gogo and Karaf print it in every mode. */
  private void print(String text) {
    PrintStream o = out.get();
    o.println(text);
    o.flush();
  }

  private static void checkName(String name) {
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "device names are 1 to 64 letters, digits, '.', '_' or '-': " + name);
    }
  }

  private void awaitDevice(String name, java.util.function.Predicate<DeviceInfo> done)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (!done.test(find(name))) {
      if (System.nanoTime() > deadline) {
        throw new IOException(name + ": timed out after " + waitMillis + " ms");
      }
      Thread.sleep(20);
    }
  }

  private DeviceInfo find(String name) {
    for (DeviceInfo d : mounts.devices()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  private ConfigurationAdmin configurationAdmin() throws IOException {
    if (cm == null) {
      throw new IOException("Configuration Admin is not running: devices cannot be created");
    }
    return cm;
  }

  private static Configuration[] listConfigurations(ConfigurationAdmin admin, String filter)
      throws IOException {
    try {
      Configuration[] found = admin.listConfigurations(filter);
      return found == null ? new Configuration[0] : found;
    } catch (InvalidSyntaxException e) {
      throw new IllegalArgumentException("bad device name: " + filter, e);
    }
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

  /** The swap state of each device name: attached, suspended with BIOs waiting, or failed. */
  public void slots() {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "%-12s %-9s %8s %6s %8s%n", "DEVICE", "STATE", "BACKENDS", "SWAPS", "WAITING"));
    for (DeviceInfo d : mounts.devices()) {
      sb.append(
          String.format(
              "%-12s %-9s %8d %6d %8d%n",
              d.name(), d.state(), d.backends(), d.swaps(), d.waitingBios()));
    }
    print(sb.toString().stripTrailing());
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

  /** The superblock summary of a mounted filesystem. */
  public void info(String device) throws IOException {
    FsInfo i = mounts.fileSystem(device).info();
    print(
        String.join(
            "\n",
            "type:        " + i.type(),
            "uuid:        " + i.uuid(),
            "volume name: " + i.volumeName(),
            "block size:  " + i.blockSize(),
            "blocks:      " + i.blocksCount() + " (" + i.freeBlocks() + " free)",
            "inodes:      " + i.inodesCount() + " (" + i.freeInodes() + " free)",
            "features:    " + String.join(" ", i.features()),
            "state:       " + i.state()));
  }

  public void ls(String device) throws IOException {
    ls(device, "/");
  }

  /** One line per entry: type, size and name. */
  public void ls(String device, String path) throws IOException {
    FileSystem fs = mounts.fileSystem(device);
    StringBuilder sb = new StringBuilder();
    String dir = path.endsWith("/") ? path : path + "/";
    for (DirEntry e : fs.list(path)) {
      FileStat st = fs.lstat(dir + e.name());
      sb.append(String.format("%s %10d %s%n", typeChar(st.type()), st.size(), e.name()));
    }
    print(sb.toString().stripTrailing());
  }

  /** The file's bytes, written to the shell's output. */
  public void cat(String device, String path) throws IOException {
    FileSystem fs = mounts.fileSystem(device);
    PrintStream target = out.get();
    try (FileHandle h = fs.open(path)) {
      copyOut(h, target);
    }
    target.flush();
  }

  /** Copies a host file into the filesystem (replacing the target) and fsyncs it. */
  public void put(String local, String device, String path) throws IOException {
    FileSystem fs = mounts.fileSystem(device);
    long total = 0;
    try (InputStream in = Files.newInputStream(Path.of(local));
        FileHandle h = fs.openWrite(path, true, true, 0644)) {
      byte[] buf = new byte[CHUNK];
      for (int n; (n = in.read(buf)) > 0; ) {
        ByteBuffer src = ByteBuffer.wrap(buf, 0, n);
        while (src.hasRemaining()) {
          total += h.write(total, src);
        }
      }
      h.fsync();
    }
    print(path + ": " + total + " bytes");
  }

  /** Copies a file out to the host. */
  public void get(String device, String path, String local) throws IOException {
    FileSystem fs = mounts.fileSystem(device);
    try (FileHandle h = fs.open(path);
        OutputStream o = Files.newOutputStream(Path.of(local))) {
      print(local + ": " + copyOut(h, o) + " bytes");
    }
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
    DeviceInfo d = find(device);
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

  /** A file's inode: type, mode, links, owner, size, blocks, mtime. */
  public void stat(String device, String path) throws IOException {
    FileStat st = mounts.fileSystem(device).lstat(path);
    print(
        String.join(
            "\n",
            "path:   " + path,
            "inode:  " + st.ino(),
            "type:   " + st.type(),
            "mode:   " + String.format("%04o", st.permissions()),
            "links:  " + st.links(),
            "uid:    " + st.uid() + "  gid: " + st.gid(),
            "size:   " + st.size(),
            "blocks: " + st.blocks(),
            "mtime:  " + java.time.Instant.ofEpochSecond(st.mtime())));
  }

  public void mkdir(String device, String path) throws IOException {
    mounts.fileSystem(device).mkdir(path, 0755);
    print(path);
  }

  /** Removes a file or an empty directory. */
  public void rm(String device, String path) throws IOException {
    FileSystem fs = mounts.fileSystem(device);
    if (fs.lstat(path).type() == FileType.DIRECTORY) {
      fs.rmdir(path);
    } else {
      fs.unlink(path);
    }
    print(path + ": removed");
  }

  public void sync(String device) throws IOException {
    mounts.fileSystem(device).sync();
    print(device + ": synced");
  }

  private static long copyOut(FileHandle h, OutputStream o) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    long pos = 0;
    for (int n; (n = h.read(pos, buf.clear())) > 0; ) {
      o.write(buf.array(), 0, n);
      pos += n;
    }
    return pos;
  }

  private static char typeChar(FileType t) {
    return switch (t) {
      case DIRECTORY -> 'd';
      case SYMLINK -> 'l';
      case REGULAR -> '-';
      default -> '?';
    };
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
