package org.mpage.webconsole;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mpage.api.block.DiskStats;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.MountInfo;
import org.mpage.api.fs.Mounts;

/**
 * The page's JSON: the devices (as {@code mpage:devices} and {@code mpage:slots} show them), the
 * mounts, and each device's BIO events of the last window, and the page's actions. Written by hand:
 * the strings are device names, types and UUIDs, escaped below.
 */
final class ConsoleData {
  private ConsoleData() {}

  /**
   * The page's data at {@code now} (the ring's clock): events at most {@code windowNanos} old, as
   * {@code [millis before now, sector, sectors, 1 if a write]}.
   */
  static String json(Mounts mounts, List<IoRing.Event> events, long now, long windowNanos) {
    return json(mounts, events, now, windowNanos, pool -> Map.of());
  }

  /**
   * As above, each mount with its share of the page cache's hits and misses from {@code
   * poolStatistics} (the engine's {@code statistics(device)}; 0 where it has none).
   */
  static String json(
      Mounts mounts,
      List<IoRing.Event> events,
      long now,
      long windowNanos,
      Function<String, Map<String, Long>> poolStatistics) {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("{\"windowMs\":").append(windowNanos / 1_000_000).append(",\"devices\":[");
    List<DeviceInfo> devices = mounts == null ? List.of() : mounts.devices();
    for (int i = 0; i < devices.size(); i++) {
      DeviceInfo d = devices.get(i);
      DiskStats s = d.stats();
      sb.append(i == 0 ? "{" : ",{");
      string(sb, "name", d.name()).append(',');
      string(sb, "state", d.state().name()).append(',');
      number(sb, "backends", d.backends()).append(',');
      number(sb, "capacitySectors", d.capacitySectors()).append(',');
      number(sb, "swaps", d.swaps()).append(',');
      number(sb, "waitingBios", d.waitingBios()).append(',');
      number(sb, "reads", s.readsCompleted()).append(',');
      number(sb, "sectorsRead", s.sectorsRead()).append(',');
      number(sb, "writes", s.writesCompleted()).append(',');
      number(sb, "sectorsWritten", s.sectorsWritten()).append(',');
      number(sb, "flushes", s.flushesCompleted()).append(',');
      number(sb, "inFlight", s.inFlight()).append(",\"events\":[");
      boolean first = true;
      for (IoRing.Event e : events) {
        if (e.device().equals(d.name()) && now - e.nanos() <= windowNanos) {
          sb.append(first ? "[" : ",[")
              .append((now - e.nanos()) / 1_000_000)
              .append(',')
              .append(e.sector())
              .append(',')
              .append(e.sectors())
              .append(',')
              .append(e.write() ? 1 : 0)
              .append(']');
          first = false;
        }
      }
      sb.append("]}");
    }
    sb.append("],\"mounts\":[");
    List<MountInfo> list = mounts == null ? List.of() : mounts.mounts();
    for (int i = 0; i < list.size(); i++) {
      MountInfo m = list.get(i);
      sb.append(i == 0 ? "{" : ",{");
      string(sb, "device", m.device()).append(',');
      string(sb, "type", m.type()).append(',');
      string(sb, "mode", m.readOnly() ? "ro" : "rw").append(',');
      string(sb, "identity", m.identity()).append(',');
      Map<String, Long> pool = poolStatistics.apply(m.device());
      number(sb, "cacheHits", pool.getOrDefault("cache.hits", 0L)).append(',');
      number(sb, "cacheMisses", pool.getOrDefault("cache.misses", 0L)).append('}');
    }
    return sb.append("]}").toString();
  }

  /**
   * Runs one of the page's actions on {@code device}: {@code sync} (the mounted filesystem's sync),
   * {@code suspend} and {@code resume} (its slot's I/O held and let go, {@link Mounts#suspend}) or
   * {@code umount}; says what it did.
   *
   * @throws IOException as the mount table reports it (not mounted, busy...)
   * @throws IllegalArgumentException for another action
   */
  static String act(Mounts mounts, String action, String device) throws IOException {
    if (mounts == null) {
      throw new IOException("no mount table");
    }
    if (device == null || device.isEmpty()) {
      throw new IllegalArgumentException("no device named");
    }
    switch (action == null ? "" : action) {
      case "sync" -> {
        if (held(mounts, device)) {
          // The sync would wait for the resume, and the request with it.
          throw new IOException(device + ": suspended; resume it first");
        }
        mounts.fileSystem(device).sync();
        return device + ": synced";
      }
      case "suspend" -> {
        mounts.suspend(device);
        return device + ": suspended";
      }
      case "resume" -> {
        mounts.resume(device);
        return device + ": resumed";
      }
      case "umount" -> {
        mounts.unmount(device);
        return device + ": unmounted";
      }
      default -> throw new IllegalArgumentException("unknown action " + action);
    }
  }

  private static boolean held(Mounts mounts, String device) {
    for (DeviceInfo d : mounts.devices()) {
      if (d.name().equals(device)) {
        return d.state() == DeviceInfo.SwapState.HELD;
      }
    }
    return false;
  }

  static StringBuilder string(StringBuilder sb, String key, String value) {
    sb.append('"').append(key).append("\":");
    return quote(sb, value);
  }

  private static StringBuilder number(StringBuilder sb, String key, long value) {
    return sb.append('"').append(key).append("\":").append(value);
  }

  /**
   * {@code value} as a JSON string; everything below U+0020, quotes, {@code <} and {@code >}
   * escaped.
   */
  static StringBuilder quote(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"'
          || c == '\\'
          || c < 0x20
          || c == '<'
          || c == '>'
          || c == '&'
          || Character.isSurrogate(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"');
  }
}
