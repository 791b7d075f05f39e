package org.mpage.core.mpage;

import org.mpage.api.block.Bio;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.GetBlock;

/** State carried across the pages of one writeback walk: the kernel's {@code struct mpage_data}. */
final class MpageData {
  Bio bio;
  long lastBlockInBio;
  final GetBlock getBlock;

  /** False for the 2.6 single-page entry, which returns EAGAIN instead of using the buffer path. */
  final boolean useWritepage;

  final long[] blocks = new long[Mpage.MAX_BUF_PER_PAGE];

  /** The get_block argument, reused for every block: the kernel's on-stack {@code map_bh}. */
  final BufferHead mapBh = new BufferHead();

  MpageData(GetBlock getBlock, boolean useWritepage) {
    this.getBlock = getBlock;
    this.useWritepage = useWritepage;
  }
}
