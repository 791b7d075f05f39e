package org.mpage.api.block;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.mpage.api.page.Folio;

/**
 * One segment of a {@link Bio}: {@code length} bytes of a folio's memory starting at {@code
 * offsetInFolio}. The kernel's {@code struct bio_vec}.
 */
public record BioVec(Folio folio, int offsetInFolio, int length) {
  public BioVec {
    Objects.requireNonNull(folio, "folio");
    if (offsetInFolio < 0 || length <= 0 || offsetInFolio + length > Folio.PAGE_SIZE) {
      throw new IllegalArgumentException(
          "segment [" + offsetInFolio + ", +" + length + ") does not fit a page");
    }
  }

  /**
   * A view of the segment's memory, position 0 and limit {@code length}. Each call returns a new
   * view, so concurrent users do not share a position.
   */
  public ByteBuffer buffer() {
    // An absolute slice of the shared buffer: independent of its position, one object.
    return folio.rawMemory().slice(offsetInFolio, length);
  }
}
