package org.mpage.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;
import org.mpage.api.fs.DeviceInfo;
import org.mpage.api.fs.MigrationInfo;
import org.mpage.api.fs.Mounts;

/**
 * The commands on a mounted device's slot, thin faces over {@link Mounts}: {@code mpage:slots},
 * {@code mpage:suspend} and {@code mpage:resume} (as {@code dmsetup info}, {@code suspend} and
 * {@code resume}), {@code mpage:migrate} and {@code mpage:migrations}. Like {@code pvmove}, {@code
 * migrate DEV TARGET} reports progress until the migration ends (a line a second, and the outcome);
 * {@code -b} starts it in the background, and an interrupted command (Ctrl-C) leaves it running, as
 * pvmove's polling does.
 */
final class SlotCommands {
  private final Mounts mounts;
  private final Supplier<PrintStream> out;
  private final long progressMillis;

  SlotCommands(Mounts mounts, Supplier<PrintStream> out, long progressMillis) {
    this.mounts = mounts;
    this.out = out;
    this.progressMillis = progressMillis;
  }

  /** The swap state of each device name: attached, held, suspended with BIOs waiting, or failed. */
  void slots() {
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

  /** Syncs the mounted {@code device} and holds its I/O until {@link #resume}. */
  void suspend(String device) throws IOException {
    mounts.suspend(device);
    print(device + ": suspended (mpage:resume " + device + " lets its I/O go on)");
  }

  /** Lets the I/O of a suspended {@code device} go on. */
  void resume(String device) throws IOException {
    mounts.resume(device);
    print(device + ": resumed");
  }

  /**
   * Refuses an operation that would wait for a {@link #resume} (a sync of a held device), rather
   * than let the shell hang on it.
   */
  void refuseIfHeld(String device) throws IOException {
    for (DeviceInfo d : mounts.devices()) {
      if (d.name().equals(device) && d.state() == DeviceInfo.SwapState.HELD) {
        throw new IOException(device + ": suspended; resume it first");
      }
    }
  }

  /** Starts the migration and, unless {@code background}, reports it until it ends. */
  void migrate(String device, String target, boolean background)
      throws IOException, InterruptedException {
    MigrationInfo info = mounts.migrate(device, target);
    print(progress(info));
    if (background) {
      return;
    }
    long next = System.nanoTime() + progressMillis * 1_000_000;
    try {
      while (!info.state().isFinal()) {
        Thread.sleep(Math.min(50, progressMillis));
        info = current(device);
        if (!info.state().isFinal() && System.nanoTime() - next >= 0) {
          print(progress(info));
          next += progressMillis * 1_000_000;
        }
      }
    } catch (InterruptedException e) {
      print(
          device
              + ": the migration goes on in the background (mpage:migrations shows it,"
              + " mpage:migrate --cancel "
              + device
              + " stops it)");
      throw e;
    }
    outcome(info);
  }

  /** Cancels the migration of {@code device}; the device stays on its backend. */
  void cancel(String device) throws IOException {
    outcome(mounts.cancelMigration(device));
  }

  /** One line per migration, running or last ended. */
  void migrations() {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "%-12s %-12s %-9s %9s %9s %6s %6s %s%n",
                "DEVICE", "TARGET", "STATE", "COPIED", "SIZE", "PASSES", "DIRTY", "REASON"));
    for (MigrationInfo m : mounts.migrations()) {
      sb.append(
          String.format(
              "%-12s %-12s %-9s %9s %9s %6d %6d %s%n",
              m.device(),
              m.target(),
              m.state(),
              human(m.copiedBytes()),
              human(m.totalBytes()),
              m.passes(),
              m.dirtyRegions(),
              m.reason()));
    }
    print(sb.toString().stripTrailing());
  }

  private MigrationInfo current(String device) throws IOException {
    for (MigrationInfo m : mounts.migrations()) {
      if (m.device().equals(device)) {
        return m;
      }
    }
    throw new IOException(device + ": the migration is gone (unmounted?)");
  }

  /** The final line; a failure is the command's error, so that the shell's status says so. */
  private void outcome(MigrationInfo m) throws IOException {
    switch (m.state()) {
      case DONE ->
          print(
              m.device()
                  + ": now on "
                  + m.target()
                  + " ("
                  + human(m.copiedBytes())
                  + " copied in "
                  + m.passes()
                  + (m.passes() == 1 ? " pass)" : " passes)"));
      case CANCELLED ->
          print(m.device() + ": migration to " + m.target() + " cancelled; still on its backend");
      case FAILED ->
          throw new IOException(
              m.device()
                  + ": migration to "
                  + m.target()
                  + " failed: "
                  + m.reason()
                  + "; still on its backend");
      default -> print(progress(m));
    }
  }

  static String progress(MigrationInfo m) {
    String head = m.device() + " -> " + m.target() + ": ";
    if (m.state() == MigrationInfo.State.SWITCHING) {
      return head + "switching (" + m.dirtyRegions() + " regions left to copy)";
    }
    if (m.passes() <= 1) {
      long percent =
          m.totalBytes() == 0 ? 100 : Math.min(100, m.copiedBytes() * 100 / m.totalBytes());
      return head
          + percent
          + "% copied ("
          + human(Math.min(m.copiedBytes(), m.totalBytes()))
          + " of "
          + human(m.totalBytes())
          + ")";
    }
    return head
        + "pass "
        + m.passes()
        + ", "
        + m.dirtyRegions()
        + " regions written since copied ("
        + human(m.dirtyRegions() * m.regionBytes())
        + ")";
  }

  /** Bytes as K, M or G with one decimal where it matters. */
  static String human(long bytes) {
    if (bytes < 1L << 20) {
      return (bytes >> 10) + "K";
    }
    double mib = bytes / (double) (1L << 20);
    if (mib < 1024) {
      return String.format(Locale.ROOT, mib < 100 ? "%.1fM" : "%.0fM", mib);
    }
    return String.format(Locale.ROOT, "%.1fG", mib / 1024);
  }

  private void print(String text) {
    PrintStream o = out.get();
    o.println(text);
    o.flush();
  }
}
