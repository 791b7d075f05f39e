package org.mpage.api.page;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The page cache of one file or device: the kernel's {@code struct address_space}. The core
 * implements it; filesystems and tests read it.
 */
@ProviderType
public interface AddressSpace {
  /** The file whose pages these are. */
  Inode host();

  /** The cached folio at {@code index}, or null. Does not lock it. */
  Folio findFolio(long index);

  /** Number of cached folios. */
  long nrPages();

  /** Whether any folio is tagged dirty. */
  boolean hasDirtyPages();
}
