package org.mpage.api.page;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A batch of locked, not yet uptodate folios to read: the kernel's {@code struct
 * readahead_control}. The filesystem's readahead takes them one by one with {@link #nextFolio()};
 * each folio it takes is its to unlock once read.
 */
@ProviderType
public interface ReadaheadControl {
  AddressSpace mapping();

  /** The next folio, or null when the batch is done: the kernel's {@code readahead_folio}. */
  Folio nextFolio();

  /**
   * Pages left in the batch, including the one last returned by {@link #nextFolio()}: the kernel's
   * {@code readahead_count}.
   */
  int count();

  /** Index of the first page of the batch (of the next one, once folios were taken). */
  long index();
}
