package org.mpage.core.buffer;

import java.util.Set;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.Inode;

/**
 * The ring of buffer heads a folio carries on the buffer path: attaching one to a folio that has
 * none, and forgetting the buffers a truncation cut off. A folio gets its ring once and keeps it
 * until it leaves the page cache, so every later read or write sees the same per-block state
 * (mapped, uptodate, dirty) rather than working it out again.
 *
 * <p>Callers hold the folio lock: nothing else may attach a second ring or walk a half-built one.
 */
final class BufferRing {
  private BufferRing() {}

  /**
   * Attaches a ring of {@code blockSize} buffers to a locked folio, each with {@code state} set,
   * and uptodate/dirty when the folio is: the kernel's {@code create_empty_buffers}.
   */
  static BufferHead createEmptyBuffers(Folio folio, int blockSize, Set<BhState> state) {
    BufferHead head = null;
    BufferHead tail = null;
    for (int offset = 0; offset < Folio.PAGE_SIZE; offset += blockSize) {
      BufferHead bh = new BufferHead(folio, offset, blockSize);
      for (BhState s : state) {
        bh.set(s);
      }
      if (head == null) {
        head = bh;
      } else {
        tail.setThisPage(bh);
      }
      tail = bh;
    }
    tail.setThisPage(head);
    // A folio's flags speak for all its bytes, so each new buffer inherits them; otherwise an
    // uptodate folio would be read again block by block, or a dirty one lose its data.
    boolean dirty = folio.isDirty();
    boolean uptodate = folio.isUptodate();
    if (dirty || uptodate) {
      BufferHead bh = head;
      do {
        if (dirty) {
          bh.set(BhState.DIRTY);
        }
        if (uptodate) {
          bh.set(BhState.UPTODATE);
        }
        bh = bh.thisPage();
      } while (bh != head);
    }
    folio.setBuffers(head);
    return head;
  }

  /** The folio's buffers, creating them if needed: the kernel's {@code folio_create_buffers}. */
  static BufferHead folioCreateBuffers(Folio folio, Inode inode, Set<BhState> state) {
    BufferHead head = folio.buffers();
    if (head == null) {
      head = createEmptyBuffers(folio, inode.blockSize(), state);
    }
    return head;
  }

  /**
   * Forgets the buffers of a folio from byte {@code from} on, after a truncation made them point
   * past the end of the file: the kernel's {@code block_invalidate_folio} / {@code discard_buffer}.
   * Their blocks are freed by the filesystem; writing them later would hit someone else's data.
   */
  static void discardBuffersFrom(Folio folio, int from) {
    BufferHead head = folio.buffers();
    if (head == null) {
      return;
    }
    BufferHead bh = head;
    do {
      if (bh.offsetInFolio() >= from) {
        bh.lock();
        bh.clear(BhState.DIRTY);
        bh.clear(BhState.MAPPED);
        bh.clear(BhState.REQ);
        bh.clear(BhState.NEW);
        bh.clear(BhState.BOUNDARY);
        bh.setBdev(null);
        bh.unlock();
      }
      bh = bh.thisPage();
    } while (bh != head);
  }
}
