package org.mpage.vfs.disk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.fs.DeviceInfo;

/**
 * The backends on offer, by device name, and the {@link DeviceSlot} of each name in use: what a
 * service tracker of {@code BlockDevice} services feeds (DESIGN.md section 4). A name's slot is
 * created on first use from the best backend on offer (highest ranking); when that backend leaves
 * the slot is suspended and the next best one, or the next to arrive, is attached after the slot's
 * identity check; a backend of higher ranking arriving takes over from the current one.
 * Thread-safe.
 */
public final class DeviceRegistry implements AutoCloseable {
  /** A backend on offer with its {@code service.ranking}. */
  private record Offer(BlockDevice device, int ranking, long order) {}

  private static final Comparator<Offer> BEST =
      Comparator.comparingInt(Offer::ranking).reversed().thenComparingLong(Offer::order);

  private final long swapTimeoutMillis;
  private final Map<String, List<Offer>> offers = new HashMap<>();
  private final Map<String, DeviceSlot> slots = new HashMap<>();

  /**
   * The slot each backend name serves: a slot's own name, or after a {@link Migration} the name of
   * the target it moved to. Arrivals and departures of that name go to that slot.
   */
  private final Map<String, DeviceSlot> sources = new HashMap<>();

  /** Names claimed as the target of a migration in progress. */
  private final Set<String> claimed = new HashSet<>();

  private long arrivals;

  public DeviceRegistry(long swapTimeoutMillis) {
    this.swapTimeoutMillis = swapTimeoutMillis;
  }

  /**
   * A backend service arrived. A better-ranked backend for a slot in use takes over only if the
   * slot would accept it (same identity), so a wrong disk never suspends a working mount; the offer
   * is listed once that decision is made.
   */
  public void deviceAdded(BlockDevice device, int ranking) {
    DeviceSlot slot;
    synchronized (this) {
      slot = sources.get(device.name());
    }
    if (slot != null) {
      BlockDevice current = slot.backend();
      if (current != null && ranking > rankingOf(current) && slot.accepts(device)) {
        slot.detach();
        if (!slot.attach(device)) {
          slot.attach(current);
        }
      }
    }
    synchronized (this) {
      offers
          .computeIfAbsent(device.name(), n -> new ArrayList<>())
          .add(new Offer(device, ranking, arrivals++));
    }
    if (slot != null && slot.backend() == null) {
      slot.attach(device);
    }
  }

  /** A backend service is leaving: its slot (if it was attached) suspends and looks for another. */
  public void deviceRemoved(BlockDevice device) {
    DeviceSlot slot;
    synchronized (this) {
      List<Offer> list = offers.get(device.name());
      if (list != null) {
        list.removeIf(o -> o.device() == device);
      }
      slot = sources.get(device.name());
    }
    if (slot == null || slot.backend() != device) {
      return;
    }
    slot.detach();
    for (Offer o : sorted(device.name())) {
      if (slot.attach(o.device())) {
        return;
      }
    }
  }

  /** The slot of {@code name}, created from the best backend on offer on first use. */
  public DeviceSlot slot(String name) throws IOException {
    synchronized (this) {
      DeviceSlot slot = slots.get(name);
      if (slot != null) {
        return slot;
      }
      if (sources.containsKey(name) || claimed.contains(name)) {
        throw new IOException(name + ": in use as the backend of " + user(name));
      }
      List<Offer> list = sorted(name);
      if (list.isEmpty()) {
        throw new IOException("no block device named " + name);
      }
      slot = new DeviceSlot(name, list.get(0).device(), swapTimeoutMillis);
      slots.put(name, slot);
      sources.put(name, slot);
      return slot;
    }
  }

  private String user(String name) {
    DeviceSlot slot = sources.get(name);
    return slot != null ? slot.name() : "a migration in progress";
  }

  /**
   * Claims the best backend on offer under {@code name} as a migration's target: a name no slot
   * uses and no other migration claimed. {@link #unclaim} gives it back.
   *
   * @throws IOException if no backend is on offer under the name or it is in use
   */
  public synchronized BlockDevice claim(String name) throws IOException {
    if (slots.containsKey(name) || sources.containsKey(name) || claimed.contains(name)) {
      throw new IOException(name + ": in use as the backend of " + user(name));
    }
    List<Offer> list = sorted(name);
    if (list.isEmpty()) {
      throw new IOException("no block device named " + name);
    }
    claimed.add(name);
    return list.get(0).device();
  }

  /** The migration that claimed {@code name} has ended. */
  public synchronized void unclaim(String name) {
    claimed.remove(name);
  }

  /**
   * The slot of {@code device} now runs on a backend offered under {@code target}: from now on that
   * name's arrivals and departures concern the slot, and its own name's no longer do.
   */
  public synchronized void migrated(String device, String target) {
    DeviceSlot slot = slots.get(device);
    if (slot != null) {
      sources.values().removeIf(s -> s == slot);
      sources.put(target, slot);
    }
  }

  /**
   * The slot of {@code name} is no longer used (its filesystem was unmounted): it is closed and the
   * next {@link #slot} starts afresh from the best backend on offer.
   */
  public void release(String name) {
    DeviceSlot slot;
    synchronized (this) {
      DeviceSlot gone = slots.remove(name);
      if (gone != null) {
        sources.values().removeIf(s -> s == gone);
      }
      slot = gone;
    }
    if (slot != null) {
      slot.close();
    }
  }

  /** What the mount table shows of each name with a backend on offer or a slot in use. */
  public List<DeviceInfo> devices() {
    List<DeviceInfo> out = new ArrayList<>();
    for (String name : names()) {
      List<Offer> list = sorted(name);
      DeviceSlot slot;
      synchronized (this) {
        // A migration's target shows the slot it now serves.
        slot = slots.containsKey(name) ? slots.get(name) : sources.get(name);
      }
      if (slot != null) {
        out.add(
            new DeviceInfo(
                name,
                list.size(),
                switch (slot.state()) {
                  case ACTIVE ->
                      slot.held() ? DeviceInfo.SwapState.HELD : DeviceInfo.SwapState.ACTIVE;
                  case SUSPENDED -> DeviceInfo.SwapState.SUSPENDED;
                  case FAILED -> DeviceInfo.SwapState.FAILED;
                },
                slot.capacitySectors(),
                slot.swaps(),
                slot.waitingBios(),
                slot.stats()));
      } else if (!list.isEmpty()) {
        BlockDevice best = list.get(0).device();
        out.add(
            new DeviceInfo(
                name,
                list.size(),
                DeviceInfo.SwapState.UNUSED,
                best.capacitySectors(),
                0,
                0,
                best.stats()));
      }
    }
    return out;
  }

  /** Names with a backend on offer or a slot in use. */
  public synchronized List<String> names() {
    List<String> names = new ArrayList<>(offers.keySet());
    for (String n : slots.keySet()) {
      if (!names.contains(n)) {
        names.add(n);
      }
    }
    names.sort(null);
    return names;
  }

  private synchronized List<Offer> sorted(String name) {
    List<Offer> list = new ArrayList<>(offers.getOrDefault(name, List.of()));
    list.sort(BEST);
    return list;
  }

  private synchronized int rankingOf(BlockDevice device) {
    for (Offer o : offers.getOrDefault(device.name(), List.of())) {
      if (o.device() == device) {
        return o.ranking();
      }
    }
    return Integer.MIN_VALUE;
  }

  @Override
  public synchronized void close() {
    for (DeviceSlot slot : slots.values()) {
      slot.close();
    }
    slots.clear();
    sources.clear();
  }
}
