package org.mpage.api.page;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A filesystem's block mapper: the kernel's {@code get_block_t}.
 *
 * <p>On entry {@code bh} has no state bits and {@code bh.size()} is the number of bytes the caller
 * would like mapped from file block {@code iblock} on (a multiple of the block size). On a normal
 * return:
 *
 * <ul>
 *   <li>mapped: {@link BhState#MAPPED} set, {@link BufferHead#blocknr()} and {@link
 *       BufferHead#bdev()} valid, {@code bh.size()} lowered to the contiguous extent found;
 *   <li>hole: no {@code MAPPED}, size left as it was (the caller treats the hole as one block);
 *   <li>{@link BhState#NEW}: {@code create} allocated the block just now;
 *   <li>{@link BhState#BOUNDARY}: mapping the next block needs a metadata read;
 *   <li>{@link BhState#UPTODATE}: the filesystem already filled the data itself.
 * </ul>
 *
 * <p>A thrown exception ({@link NoSpaceException} for ENOSPC, any other {@link IOException} for
 * EIO) makes the engine fall back to the buffer path, which reports it.
 */
@ConsumerType
@FunctionalInterface
public interface GetBlock {
  void getBlock(Inode inode, long iblock, BufferHead bh, boolean create) throws IOException;
}
