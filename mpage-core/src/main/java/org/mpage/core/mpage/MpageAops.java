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

  public MpageAops(Mpage mpage, GetBlock getBlock) {
    this.mpage = mpage;
    this.getBlock = getBlock;
  }

  @Override
  public void readahead(ReadaheadControl rac) {
    mpage.mpageReadahead(rac, getBlock);
  }

  @Override
  public void readFolio(Folio folio) {
    mpage.mpageReadFolio(folio, getBlock);
  }

  @Override
  public int writepages(Mapping mapping, WritebackControl wbc) {
    return mpage.mpageWritepages(mapping, wbc, getBlock);
  }
}
