package org.mpage.device.fault;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;

/**
 * dm-delay: every read waits {@code read.ms}, every write and flush {@code write.ms} (the read
 * delay unless given), before it goes to the lower device; nothing else changes. One daemon thread
 * per device holds the waiting BIOs in order of their deadline (submission order for one delay), so
 * a flush still follows the writes submitted before it.
 *
 * <p>Closing stops accepting BIOs ({@link BlockStatus#NODEV}) but still sends the waiting ones on
 * when their time comes: a BIO is never dropped.
 */
final class DelayDevice extends StackedDevice {
  static final Set<String> OPTIONS = Set.of("read.ms", "write.ms");

  private final long readMillis;
  private final long writeMillis;
  private final ScheduledThreadPoolExecutor timer;

  DelayDevice(String name, BlockDevice lower, Map<String, String> options) {
    super(name, lower);
    Options o = new Options("delay device " + name, options, OPTIONS);
    this.readMillis = o.nonNegative("read.ms", 0);
    this.writeMillis = o.nonNegative("write.ms", readMillis);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "mpage-delay-" + name);
              t.setDaemon(true);
              return t;
            });
    // Waiting BIOs still go on after close: they were accepted.
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(true);
  }

  @Override
  protected void map(Bio bio) {
    long delay = bio.op() == BioOp.READ ? readMillis : writeMillis;
    if (delay == 0) {
      lower.submit(bio);
    } else {
      try {
        var unused = timer.schedule(() -> lower.submit(bio), delay, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // Closed between the check in submit and here.
        bio.endio(BlockStatus.NODEV);
      }
    }
  }

  @Override
  public void close() {
    super.close();
    timer.shutdown();
  }

  @Override
  public String toString() {
    return "delay{"
        + name()
        + " on "
        + lower.name()
        + ", reads "
        + readMillis
        + " ms, writes "
        + writeMillis
        + " ms}";
  }
}
