package org.mpage.core.mpage;

import org.mpage.api.block.Bio;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.GetBlock;

/**
 * State carried across the pages of one read call: the kernel's {@code struct mpage_readpage_args}.
 * Made once per readahead, not per page. The mapping buffer keeps the extent of the last get_block
 * call so that following pages use it without asking again.
 */
final class MpageReadpageArgs {
  Bio bio;
  Folio folio;
  int nrPages;
  boolean isReadahead;
  long lastBlockInBio;
  final BufferHead mapBh = new BufferHead();
  long firstLogicalBlock;
  final GetBlock getBlock;

  /** Disk blocks of the current page; the kernel's on-stack {@code blocks[MAX_BUF_PER_PAGE]}. */
  final long[] blocks = new long[Mpage.MAX_BUF_PER_PAGE];

  MpageReadpageArgs(GetBlock getBlock, boolean isReadahead) {
    this.getBlock = getBlock;
    this.isReadahead = isReadahead;
  }
}
