package org.mpage.api.block;

import java.io.IOException;

/** A failed block I/O, naming the device, the operation and the first sector involved. */
public class BlockIOException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String device;
  private final BioOp op;
  private final long sector;
  private final BlockStatus status;

  public BlockIOException(String device, BioOp op, long sector, BlockStatus status) {
    super(device + ": " + op + " at sector " + sector + " failed: " + status);
    this.device = device;
    this.op = op;
    this.sector = sector;
    this.status = status;
  }

  public String device() {
    return device;
  }

  public BioOp op() {
    return op;
  }

  public long sector() {
    return sector;
  }

  public BlockStatus status() {
    return status;
  }
}
