package org.mpage.core.pagecache;

import java.io.IOException;
import org.mpage.api.page.Folio;
import org.mpage.api.page.ReadaheadControl;
import org.mpage.api.page.WritebackControl;

/**
 * How a mapping reads and writes its pages: the kernel's {@code address_space_operations}. The
 * usual implementation is the mpage engine with a filesystem's get_block; the pure buffer path is
 * another, used as the reference in differential tests.
 */
public interface AddressSpaceOps {
  /** Starts reads of the locked folios of {@code rac}; each is unlocked when its read ends. */
  void readahead(ReadaheadControl rac);

  /** Starts the read of one locked folio, which is unlocked when the read ends. */
  void readFolio(Folio folio);

  /** Writes dirty folios as {@code wbc} says; returns 0 or the first errno. */
  int writepages(Mapping mapping, WritebackControl wbc);

  /**
   * Whether {@link #writepage} is implemented: the kernel's test for a non-NULL {@code
   * a_ops->writepage}. Writeback that has only this hook to go on leaves the folios of a mapping
   * without one dirty.
   */
  default boolean hasWritepage() {
    return false;
  }

  /**
   * Writes one locked folio whose dirty bit was cleared and unlocks it, at once or when its I/O
   * ends (the kernel's {@code writepage}); returns 0 or a positive errno. Used by writeback that
   * has no get_block of its own ({@code generic_writepages}). Only called when {@link
   * #hasWritepage} is true.
   */
  default int writepage(Folio folio, WritebackControl wbc) {
    throw new UnsupportedOperationException("no writepage in " + getClass().getName());
  }

  /**
   * Prepares bytes {@code [from, to)} of a locked folio for a write (the kernel's {@code
   * write_begin}): filesystems that allocate at write time map (and allocate) the blocks here, so
   * that running out of space is reported by the write itself. The default does nothing: blocks are
   * then allocated at writeback.
   */
  default void writeBegin(Folio folio, int from, int to) throws IOException {}
}
