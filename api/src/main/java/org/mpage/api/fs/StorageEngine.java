package org.mpage.api.fs;

import java.util.Map;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the core offers filesystems: a metadata buffer cache per device and page-cached file data
 * read and written through mpage.
 */
@ProviderType
public interface StorageEngine extends AutoCloseable {
  /** The buffer cache of {@code device} with blocks of {@code blockSize} bytes. */
  BufferCache bufferCache(BlockDevice device, int blockSize);

  /**
   * The page cache of a file whose blocks {@code getBlock} maps; {@code pool} names the device or
   * filesystem for caches shared between files.
   */
  CachedFileData cachedFile(String name, Inode inode, GetBlock getBlock, String pool);

  /**
   * Like {@link #cachedFile}, but blocks are allocated when data is written (get_block with create
   * from the write, as the kernel's {@code block_write_begin}), so a write reports ENOSPC itself
   * and metadata such as indirect blocks exists before writeback.
   */
  CachedFileData cachedFileAllocatingOnWrite(
      String name, Inode inode, GetBlock getBlock, String pool);

  /** Forgets everything cached for {@code device} (after unmount). */
  void forgetDevice(BlockDevice device);

  /**
   * Makes the writes {@code device} acknowledged durable and waits: a cache flush sent through the
   * engine's block layer, so that it is counted and traced like every other BIO (the kernel's
   * {@code blkdev_issue_flush}).
   */
  BlockStatus flush(BlockDevice device);

  /**
   * Submits {@code bio} through the engine's block layer and waits until it completes: the kernel's
   * {@code submit_bio_wait}. For the synchronous I/O a filesystem does outside the caches (the
   * superblock before the block size is known, a backend's identity), so that it is counted in
   * {@link #statistics()} and traced like every other BIO. The BIO's own end_io, if set, runs
   * before this returns. The calling thread's plugged BIOs are submitted first, so it never waits
   * for a BIO it holds itself.
   *
   * <p>There is no timeout, as in the kernel: the device completes every BIO (a swappable device
   * fails queued ones after its swap timeout). An interrupt does not end the wait; it is kept on
   * the thread.
   *
   * @return the BIO's completion status
   */
  BlockStatus submitBioWait(Bio bio);

  /**
   * I/O counters by name ({@code bios.read}, {@code get_block.calls}, ...), and the page cache's
   * state now ({@code pages.cached}, {@code pages.dirty}, {@code pages.writeback}, ...).
   */
  Map<String, Long> statistics();

  /**
   * The counters of one pool (the {@code pool} a {@link #cachedFile} was made with: a device name,
   * so one mount's share): {@code cache.hits} and {@code cache.misses} of its files' reads, counted
   * since the engine started. Empty for a pool never used; the default knows none.
   */
  default Map<String, Long> statistics(String pool) {
    return Map.of();
  }

  @Override
  void close();
}
