package org.mpage.core.mpage;

import org.mpage.api.page.Folio;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.ReadaheadControl;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.pagecache.AddressSpaceOps;
import org.mpage.core.pagecache.Mapping;

/**
 * Address space operations of a filesystem that uses mpage: what ext2's {@code ext2_aops} does with
 * {@code mpage_readahead}, {@code mpage_read_folio} and {@code mpage_writepages}.
 */
public final class MpageAops implements AddressSpaceOps {
  private final Mpage mpage;
  private final GetBlock getBlock;
  private final boolean blockWriteBegin;

  public MpageAops(Mpage mpage, GetBlock getBlock) {
    this(mpage, getBlock, false);
  }

  /**
   * @param blockWriteBegin allocate blocks when data is written ({@code block_write_begin}, as ext2
   *     does), not at writeback
   */
  public MpageAops(Mpage mpage, GetBlock getBlock, boolean blockWriteBegin) {
    this.mpage = mpage;
    this.getBlock = getBlock;
    this.blockWriteBegin = blockWriteBegin;
  }

  @Override
  public void writeBegin(Folio folio, int from, int to) throws java.io.IOException {
    if (blockWriteBegin) {
      mpage.buffers().blockWriteBegin(folio, from, to, getBlock);
    }
  }

  @Override
  public void readahead(ReadaheadControl rac) {
    mpage.mpageReadahead(rac, getBlock);
  }

  @Override
  public void readFolio(Folio folio) {
    mpage.mpageReadFolio(folio, getBlock);
  }

  /** A writepage needs a get_block to map the folio's buffers; without one there is none. */
  @Override
  public boolean hasWritepage() {
    return getBlock != null;
  }

  /** The filesystem's writepage (ext2_writepage): one folio through the buffer path. */
  @Override
  public int writepage(Folio folio, WritebackControl wbc) {
    return mpage.buffers().blockWriteFullPage(folio, getBlock, wbc);
  }

  @Override
  public int writepages(Mapping mapping, WritebackControl wbc) {
    return mpage.mpageWritepages(mapping, wbc, getBlock);
  }
}
