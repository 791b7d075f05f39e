package org.mpage.api.block;

import org.mpage.api.page.Folio;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A block device backend: the SPI that file images, RAM disks and other backends implement.
 *
 * <p>Contract every implementation honours:
 *
 * <ul>
 *   <li>{@link #submit(Bio)} is asynchronous and thread-safe. It never throws for an I/O problem:
 *       each submitted BIO is completed exactly once through {@link Bio#endio(BlockStatus)}, from
 *       any thread, possibly before {@code submit} returns.
 *   <li>A BIO that starts at or beyond {@link #capacitySectors()} completes with {@link
 *       BlockStatus#IOERR}. (The engine trims BIOs that cross the end before submitting them.)
 *   <li>A closed or vanished device completes BIOs with {@link BlockStatus#NODEV}.
 *   <li>A {@link BioOp#FLUSH} BIO completes once everything acknowledged before it is durable; a
 *       write with {@link BioFlag#PREFLUSH} or {@link BioFlag#FUA} is ordered accordingly.
 * </ul>
 *
 * <p>The optional synchronous page path ({@link #hasRwPage()}) is the kernel's {@code ->rw_page}:
 * RAM-like devices may offer it, and the 5.x mpage behaviour uses it for fully mapped pages.
 */
@ConsumerType
public interface BlockDevice extends AutoCloseable {
  /** Sector size used for all addressing, whatever the logical block size. */
  int SECTOR_SIZE = 512;

  /** The device name (a {@code device.name} service property in OSGi). */
  String name();

  /** Capacity in 512-byte sectors. */
  long capacitySectors();

  /** Smallest addressable unit in bytes: 512 unless the backend says otherwise. */
  default int logicalBlockSize() {
    return SECTOR_SIZE;
  }

  /** Submits a BIO for asynchronous execution. See the class contract. */
  void submit(Bio bio);

  /** Whether {@link #rwPage} is implemented (the kernel's {@code ->rw_page}). */
  default boolean hasRwPage() {
    return false;
  }

  /**
   * Synchronous I/O of one whole page at {@code sector}: the kernel's {@code bdev_read_page} /
   * {@code bdev_write_page} driver hook. Returns {@link BlockStatus#NOTSUPP} unless {@link
   * #hasRwPage()}; the caller then falls back to a BIO.
   */
  default BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    return BlockStatus.NOTSUPP;
  }

  /**
   * Requests must not be merged by the plug before reaching this device: the kernel's {@code
   * queue/nomerges} setting. Recording and tracing devices use it to see each BIO as built.
   */
  default boolean noMerges() {
    return false;
  }

  /** Counters like a {@code /proc/diskstats} line. */
  default DiskStats stats() {
    return DiskStats.ZERO;
  }

  /**
   * For a backend that reconnects by itself to a medium that may have changed meanwhile (a network
   * device whose server restarted): before BIOs go to the medium again, {@code check} is asked with
   * a device that reads the new medium; refused, the backend does not use it and keeps its BIOs
   * waiting, then failing, as while disconnected. A swap slot sets its identity check here, so a
   * reconnect is checked as a swap is. Default: the backend does not reconnect; nothing to check.
   */
  default void setReconnectCheck(java.util.function.Predicate<BlockDevice> check) {}

  /**
   * Releases the backend (files, locks, memory). BIOs submitted afterwards complete with {@link
   * BlockStatus#NODEV}; BIOs still queued are completed, never dropped. Idempotent.
   */
  @Override
  default void close() {}
}
