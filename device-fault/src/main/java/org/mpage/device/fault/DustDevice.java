package org.mpage.device.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;

/**
 * dm-dust: a list of bad blocks that fail reads with an I/O error until they are written, the way a
 * disk remaps a bad sector on the next write. Blocks are {@code block.size} bytes (a power of two,
 * 512 or more; 512 unless given), numbered from the start of the device; {@code blocks} lists them,
 * separated by '+', ',' or spaces.
 *
 * <p>While enabled, a read BIO covering any bad block completes with {@link BlockStatus#IOERR} (the
 * whole BIO, as dm-dust fails the BIO) and a write takes the blocks it covers off the list before
 * it passes. While disabled (dm-dust's bypass) every BIO passes and the list stays as it is. {@link
 * #enable()} and {@link #disable()} switch at run time, as dm-dust's {@code enable} and {@code
 * disable} messages do. Deviation: dm-dust starts in bypass; here {@code enabled} says how the
 * device starts, true unless given, since a configuration that names bad blocks means them.
 */
final class DustDevice extends StackedDevice {
  static final Set<String> OPTIONS = Set.of("blocks", "block.size", "enabled");

  private final int blockSize;
  private final NavigableSet<Long> badBlocks = new ConcurrentSkipListSet<>();
  private volatile boolean enabled;

  DustDevice(String name, BlockDevice lower, Map<String, String> options) {
    super(name, lower);
    Options o = new Options("dust device " + name, options, OPTIONS);
    long size = o.nonNegative("block.size", 512);
    if (size < 512 || size > (1 << 20) || Long.bitCount(size) != 1) {
      throw o.bad("block.size must be a power of two from 512 to 1M: " + size);
    }
    this.blockSize = (int) size;
    this.badBlocks.addAll(parseBlocks(o, o.string("blocks", "")));
    this.enabled = o.bool("enabled", true);
  }

  static List<Long> parseBlocks(Options o, String text) {
    List<Long> blocks = new ArrayList<>();
    for (String b : text.trim().split("[+,\\s]+", -1)) {
      if (b.isEmpty()) {
        continue;
      }
      try {
        long n = Long.parseLong(b);
        if (n < 0) {
          throw new NumberFormatException();
        }
        blocks.add(n);
      } catch (NumberFormatException e) {
        throw o.bad("blocks are block numbers separated by '+', ',' or spaces: '" + b + "'");
      }
    }
    return blocks;
  }

  /** Reads of bad blocks fail from now on (dm-dust's {@code enable}). */
  void enable() {
    enabled = true;
  }

  /** Every BIO passes from now on; the list is kept (dm-dust's {@code disable}). */
  void disable() {
    enabled = false;
  }

  boolean isEnabled() {
    return enabled;
  }

  /** Adds a bad block (dm-dust's {@code addbadblock}). */
  void addBadBlock(long block) {
    badBlocks.add(block);
  }

  /** Empties the list (dm-dust's {@code clearbadblocks}). */
  void clearBadBlocks() {
    badBlocks.clear();
  }

  /** The bad blocks now, in order. */
  List<Long> badBlocks() {
    return List.copyOf(badBlocks);
  }

  int blockSize() {
    return blockSize;
  }

  @Override
  protected void map(Bio bio) {
    if (!enabled || !hasData(bio)) {
      lower.submit(bio);
      return;
    }
    long first = bio.sector() * BlockDevice.SECTOR_SIZE / blockSize;
    long last = (bio.sector() * BlockDevice.SECTOR_SIZE + bio.size() - 1) / blockSize;
    NavigableSet<Long> covered = badBlocks.subSet(first, true, last, true);
    if (bio.op() == BioOp.READ) {
      if (!covered.isEmpty()) {
        bio.endio(BlockStatus.IOERR);
        return;
      }
    } else {
      // Written blocks are good again: dm-dust's __dust_map_write.
      covered.clear();
    }
    lower.submit(bio);
  }

  @Override
  public String toString() {
    return "dust{"
        + name()
        + " on "
        + lower.name()
        + ", "
        + blockSize
        + "-byte blocks, bad "
        + badBlocks
        + (enabled ? "" : ", bypassed")
        + "}";
  }
}
