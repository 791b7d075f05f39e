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
   * Prepares bytes {@code [from, to)} of a locked folio for a write (the kernel's {@code
   * write_begin}): filesystems that allocate at write time map (and allocate) the blocks here, so
   * that running out of space is reported by the write itself. The default does nothing: blocks are
   * then allocated at writeback.
   */
  default void writeBegin(Folio folio, int from, int to) throws IOException {}
}
