package org.mpage.core.buffer;

import java.util.function.Predicate;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.ReadaheadControl;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.Plug;
import org.mpage.core.pagecache.AddressSpaceOps;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.writeback.WriteCachePages;

/**
 * Address space operations that use only the buffer path: every page read with {@code
 * block_read_full_folio} and written with {@code block_write_full_page}. This is how a filesystem
 * without mpage (and the block device's own cache) works, and the reference that the mpage path
 * must agree with.
 */
public final class BufferAops implements AddressSpaceOps {
  private final BufferLayer layer;
  private final GetBlock getBlock;
  private final Predicate<BufferHead> held;

  public BufferAops(BufferLayer layer, GetBlock getBlock) {
    this(layer, getBlock, BufferWrite.NOT_HELD);
  }

  /** Writeback leaves dirty the buffers {@code held} names (the device cache's ordered blocks). */
  BufferAops(BufferLayer layer, GetBlock getBlock, Predicate<BufferHead> held) {
    this.layer = layer;
    this.getBlock = getBlock;
    this.held = held;
  }

  @Override
  public void readahead(ReadaheadControl rac) {
    Folio folio;
    while ((folio = rac.nextFolio()) != null) {
      layer.blockReadFullFolio(folio, getBlock);
    }
  }

  @Override
  public void readFolio(Folio folio) {
    layer.blockReadFullFolio(folio, getBlock);
  }

  @Override
  public boolean hasWritepage() {
    return true;
  }

  @Override
  public int writepage(Folio folio, WritebackControl wbc) {
    return layer.blockWriteFullPage(folio, getBlock, wbc, held);
  }

  @Override
  public int writepages(Mapping mapping, WritebackControl wbc) {
    try (Plug plug = layer.blockLayer().startPlug()) {
      return WriteCachePages.writeCachePages(
          mapping,
          wbc,
          layer.blockLayer(),
          (folio, w) -> layer.blockWriteFullPage(folio, getBlock, w, held));
    }
  }
}
