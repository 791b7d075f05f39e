package org.mpage.fs.ext2;

import java.util.ArrayList;
import java.util.List;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.block.ForwardingBlockDevice;
import org.mpage.api.page.Folio;

/**
 * Passes everything to a real device and records every request that is not a read (a write BIO, a
 * flush, a written {@code rw_page}) as {@code OP@sector}: a read-only mount must record none.
 */
final class WriteRecordingDevice extends ForwardingBlockDevice {
  private final BlockDevice lower;
  private final List<String> writes = new ArrayList<>();

  WriteRecordingDevice(BlockDevice lower) {
    this.lower = lower;
  }

  @Override
  protected BlockDevice delegate() {
    return lower;
  }

  @Override
  public void submit(Bio bio) {
    if (bio.op() != BioOp.READ) {
      record(bio.op() + "@" + bio.sector());
    }
    lower.submit(bio);
  }

  @Override
  public BlockStatus rwPage(BioOp op, long sector, Folio folio) {
    if (op != BioOp.READ) {
      record("rw_page " + op + "@" + sector);
    }
    return lower.rwPage(op, sector, folio);
  }

  private void record(String what) {
    synchronized (writes) {
      writes.add(what);
    }
  }

  /** What was asked of the device other than reads, in order. */
  List<String> writes() {
    synchronized (writes) {
      return new ArrayList<>(writes);
    }
  }
}
