package org.mpage.api.block;

import org.mpage.api.page.Folio;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A {@link BlockDevice} that passes every call to another one: the base of wrappers (DS components,
 * swap slots, tracing devices), like a stacked driver that remaps nothing.
 *
 * <p>It overrides every method of {@link BlockDevice}, the default ones included. A wrapper that
 * implemented the interface directly would silently answer a default method with the interface's
 * default (no {@code rw_page}, 512-byte blocks, zero stats) instead of the backend's, and a method
 * added to the interface later would do the same; here one class gets it right for all wrappers.
 * Subclasses override what they change and leave the rest.
 */
@ConsumerType
public abstract class ForwardingBlockDevice implements BlockDevice {
  /** Constructor for subclasses. */
  protected ForwardingBlockDevice() {}

  /**
   * The device calls go to. Asked on every call, so a subclass may change it over time; never null.
   */
  protected abstract BlockDevice delegate();

  @Override
  public String name() {
    return delegate().name();
  }

  @Override
  public long capacitySectors() {
    return delegate().capacitySectors();
  }

  @Override
  public int logicalBlockSize() {
    return delegate().logicalBlockSize();
  }

  @Override
  public void submit(Bio bio) {
    delegate().submit(bio);
  }

  @Override
  public boolean hasRwPage() {
    return delegate().hasRwPage();
  }

  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    return delegate().rwPage(op, sector, folio);
  }

  @Override
  public boolean noMerges() {
    return delegate().noMerges();
  }

  @Override
  public DiskStats stats() {
    return delegate().stats();
  }

  @Override
  public void setReconnectCheck(java.util.function.Predicate<BlockDevice> check) {
    delegate().setReconnectCheck(check);
  }

  @Override
  public void close() {
    delegate().close();
  }

  @Override
  public String toString() {
    return delegate().toString();
  }
}
