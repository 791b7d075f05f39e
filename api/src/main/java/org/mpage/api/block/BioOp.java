package org.mpage.api.block;

/** What a {@link Bio} asks the device to do; the kernel's {@code REQ_OP_*}. */
public enum BioOp {
  /** Read sectors into the BIO's memory. */
  READ,
  /** Write the BIO's memory to sectors. */
  WRITE,
  /** Make everything the device has acknowledged durable; carries no data. */
  FLUSH;

  /** Whether data moves from memory to the device. */
  public boolean isWrite() {
    return this == WRITE;
  }
}
