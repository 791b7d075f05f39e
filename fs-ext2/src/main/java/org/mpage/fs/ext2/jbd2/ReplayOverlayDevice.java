// fs/jbd2/recovery.c: where the replayed buffers go, here a read-only overlay over the device
package org.mpage.fs.ext2.jbd2;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.NavigableMap;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.page.Folio;

/**
 * The device as a recovery would have left it, without writing it: reads go to the device below,
 * and the replayed blocks, held in memory, are copied over what it returned. The kernel replays
 * into the block device's buffer cache and writes those buffers back; a read-only mount here keeps
 * them as this overlay, placed under the buffer cache and the page cache of the mount, so both see
 * the recovered filesystem and the image never changes.
 *
 * <p>Writes are refused (completed with an I/O error): the mount is read-only, and a write would
 * bypass the overlay. Flushes pass. There is no {@code rw_page}, so every read is a BIO this device
 * sees. It does not own the device below: closing it leaves that one open.
 */
public final class ReplayOverlayDevice extends ForwardingBlockDevice {
  private final BlockDevice lower;
  private final NavigableMap<Long, byte[]> blocks;
  private final int blockSize;

  /**
   * @param blocks replayed content by filesystem block; not changed afterwards
   * @param blockSize the filesystem block size the numbers count in
   */
  public ReplayOverlayDevice(BlockDevice lower, NavigableMap<Long, byte[]> blocks, int blockSize) {
    this.lower = lower;
    this.blocks = blocks;
    this.blockSize = blockSize;
  }

  @Override
  protected BlockDevice delegate() {
    return lower;
  }

  /** The device this overlay reads from. */
  public BlockDevice lower() {
    return lower;
  }

  /** How many blocks the overlay serves instead of the device's. */
  public int replayedBlocks() {
    return blocks.size();
  }

  @Override
  public void submit(Bio bio) {
    if (bio.op() == BioOp.WRITE) {
      bio.endio(BlockStatus.IOERR);
      return;
    }
    if (bio.op() != BioOp.READ || bio.size() == 0) {
      lower.submit(bio);
      return;
    }
    var segments = bio.segments();
    Bio clone = new Bio(lower, bio.op(), bio.flags(), Math.max(1, segments.size()));
    clone.setSector(bio.sector());
    for (BioVec v : segments) {
      clone.add(v);
    }
    clone.setEndIo(
        done -> {
          if (done.status().isOk()) {
            overlay(bio.sector() * SECTOR_SIZE, segments);
          }
          bio.endio(done.status());
        });
    lower.submit(clone);
  }

  /** Copies the replayed blocks over the bytes a read of {@code segments} at {@code pos} got. */
  private void overlay(long pos, Iterable<BioVec> segments) {
    long at = pos;
    for (BioVec v : segments) {
      long end = at + v.length();
      long firstBlock = at / blockSize;
      long lastBlock = (end - 1) / blockSize;
      for (Map.Entry<Long, byte[]> e :
          blocks.subMap(firstBlock, true, lastBlock, true).entrySet()) {
        long blockStart = e.getKey() * blockSize;
        long from = Math.max(at, blockStart);
        long to = Math.min(end, blockStart + blockSize);
        ByteBuffer dst = v.buffer();
        dst.put((int) (from - at), e.getValue(), (int) (from - blockStart), (int) (to - from));
      }
      at = end;
    }
  }

  @Override
  public boolean hasRwPage() {
    return false;
  }

  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    return BlockStatus.NOTSUPP;
  }

  @Override
  public void close() {
    // the device below belongs to whoever opened it
  }

  @Override
  public String toString() {
    return "ReplayOverlayDevice{" + blocks.size() + " blocks over " + lower + "}";
  }
}
