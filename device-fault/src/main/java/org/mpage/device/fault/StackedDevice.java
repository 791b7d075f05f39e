package org.mpage.device.fault;

import java.util.Objects;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.page.Folio;

/**
 * A target stacked on a lower device, as a device-mapper target is on the device of its table: it
 * has its own name, the lower device's size and counters, and sees every BIO before the lower
 * device does. It has no {@code rw_page} (device-mapper devices have none either), so that every
 * page reaches it as a BIO it can fail, drop, delay or corrupt.
 *
 * <p>It does not own the lower device: {@link #close()} makes later BIOs complete with {@link
 * BlockStatus#NODEV} and leaves the lower device open.
 */
abstract class StackedDevice extends ForwardingBlockDevice {
  private final String name;
  protected final BlockDevice lower;
  private volatile boolean closed;

  StackedDevice(String name, BlockDevice lower) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("device.name is required");
    }
    this.name = name;
    this.lower = Objects.requireNonNull(lower, "lower");
  }

  @Override
  protected final BlockDevice delegate() {
    return lower;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final void submit(Bio bio) {
    if (closed) {
      bio.endio(BlockStatus.NODEV);
      return;
    }
    map(bio);
  }

  /**
   * The target's {@code ->map}: completes {@code bio} itself or passes it on to the lower device.
   */
  protected abstract void map(Bio bio);

  @Override
  public final boolean hasRwPage() {
    return false;
  }

  @Override
  public final BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    return BlockStatus.NOTSUPP;
  }

  @Override
  public void close() {
    closed = true;
  }

  /**
   * A BIO to the lower device over the same memory as {@code bio}, whose completion runs {@code
   * endIo} (which must complete {@code bio}): the kernel's {@code bio_clone}.
   */
  protected final Bio cloneBio(Bio bio, Bio.EndIo endIo) {
    var segments = bio.segments();
    Bio clone = new Bio(lower, bio.op(), bio.flags(), Math.max(1, segments.size()));
    clone.setSector(bio.sector());
    for (BioVec v : segments) {
      clone.add(v);
    }
    clone.setEndIo(endIo);
    return clone;
  }

  /**
   * Whether {@code bio} moves data: reads and writes with a payload. A flush, or a data-less BIO,
   * passes every target untouched.
   */
  static boolean hasData(Bio bio) {
    return bio.op() != BioOp.FLUSH && bio.size() > 0;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{" + name + " on " + lower.name() + "}";
  }
}
