package org.mpage.core.buffer;

import java.io.IOException;
import java.util.Set;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.core.pagecache.Mapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading a whole folio through its buffers, one BIO per block that is not already uptodate. The
 * folio stays locked until the last of those BIOs ends; the buffers' ASYNC_READ bits, checked under
 * the folio's monitor, tell each completion whether it is the last.
 *
 * <p>This is the path mpage falls back to for a page it cannot read in one piece, and the path the
 * buffer-only address space operations take for every page.
 */
final class BufferRead {
  // Logged under the facade's name, as before the split: log settings that name it keep working.
  private static final Logger LOG = LoggerFactory.getLogger(BufferLayer.class);

  private final BufferIo io;

  BufferRead(BufferIo io) {
    this.io = io;
  }

  /**
   * Reads a locked folio buffer by buffer: the kernel's {@code block_read_full_folio} (fs/buffer.c,
   * Linux 6.3). Uptodate buffers are kept, holes are zeroed, and each remaining buffer is read by
   * its own BIO; the folio is unlocked, uptodate if every buffer is, when the last read ends.
   */
  void blockReadFullFolio(Folio folio, GetBlock getBlock) {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    BufferHead head = BufferRing.folioCreateBuffers(folio, inode, Set.of());
    int blocksize = head.size();
    int bbits = Integer.numberOfTrailingZeros(blocksize);
    long iblock = folio.pos() >> bbits;
    long lblock = (inode.size() + blocksize - 1) >> bbits;
    BufferHead[] arr = new BufferHead[Folio.PAGE_SIZE / 512];
    int nr = 0;
    boolean fullyMapped = true;
    boolean pageError = false;
    int blocksPerPage = Folio.PAGE_SIZE / blocksize;
    BufferHead bh = head;
    for (int i = 0; i < blocksPerPage; i++, iblock++, bh = bh.thisPage()) {
      if (bh.isUptodate()) {
        continue;
      }
      if (!bh.isMapped()) {
        boolean err = false;
        fullyMapped = false;
        if (iblock < lblock) {
          bh.setSize(blocksize);
          try {
            io.blockLayer().stats().countGetBlock();
            getBlock.getBlock(inode, iblock, bh, false);
          } catch (IOException e) {
            LOG.debug("get_block failed for inode {} block {}", inode.ino(), iblock, e);
            err = true;
            pageError = true;
          }
          bh.setSize(blocksize);
        }
        if (!bh.isMapped()) {
          folio.zero(i * blocksize, (i + 1) * blocksize);
          if (!err) {
            bh.set(BhState.UPTODATE);
          }
          continue;
        }
        // get_block may have filled the buffer itself.
        if (bh.isUptodate()) {
          continue;
        }
      }
      arr[nr++] = bh;
    }

    if (fullyMapped) {
      folio.set(FolioFlag.MAPPEDTODISK);
    }
    if (nr == 0) {
      // Everything was uptodate, a hole, or failed to map: the read is over.
      if (pageError) {
        folio.set(FolioFlag.ERROR);
      } else {
        folio.markUptodate();
      }
      folio.unlock();
      return;
    }
    for (int k = 0; k < nr; k++) {
      BufferHead b = arr[k];
      b.lock();
      b.setEndIo(this::endBufferAsyncRead);
      b.set(BhState.ASYNC_READ);
    }
    // A buffer may have become uptodate while we waited for its lock (another reader of the
    // same block through the device's cache).
    for (int k = 0; k < nr; k++) {
      BufferHead b = arr[k];
      if (b.isUptodate()) {
        endBufferAsyncRead(b, BlockStatus.OK);
      } else {
        io.submitBh(BioOp.READ, Set.of(), b);
      }
    }
  }

  /**
   * Completion of one buffer of an asynchronous folio read: the kernel's {@code
   * end_buffer_async_read}. The last buffer to finish ends the folio's read.
   */
  void endBufferAsyncRead(BufferHead bh, BlockStatus status) {
    Folio folio = bh.folio();
    if (status.isOk()) {
      bh.set(BhState.UPTODATE);
    } else {
      bh.clear(BhState.UPTODATE);
      io.bufferIoError(bh, status, "async page read");
    }
    boolean folioUptodate = true;
    synchronized (folio) {
      bh.clear(BhState.ASYNC_READ);
      bh.unlock();
      BufferHead tmp = bh;
      do {
        if (!tmp.isUptodate()) {
          folioUptodate = false;
        }
        if (tmp.test(BhState.ASYNC_READ)) {
          return; // still busy: another buffer will finish the folio
        }
        tmp = tmp.thisPage();
      } while (tmp != bh);
    }
    if (folioUptodate) {
      folio.markUptodate();
    } else {
      folio.set(FolioFlag.ERROR);
    }
    folio.unlock();
  }
}
