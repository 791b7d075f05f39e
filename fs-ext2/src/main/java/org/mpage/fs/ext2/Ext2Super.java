// fs/ext2/super.c: ext2_fill_super, ext2_check_descriptors
package org.mpage.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.fs.BufferCache;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Folio;
import org.mpage.fs.ext2.disk.DescriptorLayout;
import org.mpage.fs.ext2.disk.Ext2Features;
import org.mpage.fs.ext2.disk.Ext2Inode;
import org.mpage.fs.ext2.disk.Ext2Superblock;
import org.mpage.fs.ext2.disk.GroupDesc;
import org.mpage.fs.ext2.jbd2.ReplayOverlayDevice;

/**
 * Mounting: the superblock is read straight from the device (its block size is not known yet), its
 * features and geometry checked, the group descriptors read through the buffer cache and checked
 * one by one, and the root inode must be a directory. Nothing is written before all of that passed;
 * a read-write mount then marks the filesystem not clean on disk.
 */
final class Ext2Super {
  private Ext2Super() {}

  /** Port of ext2_fill_super()'s checks, fs/ext2/super.c. */
  /** The mount option {@code time=SECONDS} (see {@link Ext2SbInfo#now}), or -1. */
  private static long fixedTime(MountOptions options) {
    String t = options.option("time", null);
    if (t == null) {
      return -1;
    }
    try {
      long v = Long.parseLong(t);
      if (v < 0 || v > 0xffff_ffffL) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "mount option time takes seconds since 1970 (32 bits), not " + t);
    }
  }

  static Ext2FileSystem mount(BlockDevice device, StorageEngine engine, MountOptions options)
      throws IOException {
    return mount(device, engine, options, BlockMaps.serviceLoaded());
  }

  /** The mount, with the block-mapping schemes {@code maps} offers. */
  static Ext2FileSystem mount(
      BlockDevice device, StorageEngine engine, MountOptions options, BlockMaps maps)
      throws IOException {
    return mount(device, engine, options, maps, null);
  }

  /**
   * The mount; {@code journal} is what a journal replay under {@code device} did (null: none yet).
   * A read-only mount that must replay mounts the filesystem as it is on disk, replays its journal
   * in memory, then mounts again over the overlay of the replayed blocks ({@link Ext2Journal}).
   */
  private static Ext2FileSystem mount(
      BlockDevice device,
      StorageEngine engine,
      MountOptions options,
      BlockMaps maps,
      String journal)
      throws IOException {
    long deviceBytes = device.capacitySectors() * BlockDevice.SECTOR_SIZE;
    if (deviceBytes < Ext2Superblock.OFFSET + Ext2Superblock.SIZE) {
      throw new CorruptFilesystemException(
          "device " + device.name() + " is too small (" + deviceBytes + " bytes) for ext2", -1, -1);
    }
    ByteBuffer raw = readRaw(engine, device, Ext2Superblock.OFFSET, Ext2Superblock.SIZE);
    Ext2Superblock sb = new Ext2Superblock(raw, deviceBytes);
    boolean recover = journal == null && Ext2Journal.mustRecover(sb, options.readOnly());
    Ext2Checksums csum = Ext2Checksums.forMount(sb, options);
    csum.checkSuper(sb);
    int unsupported = sb.featureIncompat & ~Ext2Features.INCOMPAT_READ_SUPP;
    if (recover) {
      unsupported &= ~Ext2Features.INCOMPAT_RECOVER;
    }
    if (unsupported != 0) {
      throw new UnsupportedFeatureException(
          "ext2", Ext2Journal.explain(Ext2Features.incompatNames(unsupported)));
    }
    int unreadable = sb.featureRoCompat & Ext2Features.RO_COMPAT_READ_UNSUPP;
    if (unreadable != 0) {
      throw new UnsupportedFeatureException("ext2", Ext2Features.roCompatNames(unreadable));
    }
    if (sb.hasIncompat(Ext2Features.INCOMPAT_EXTENTS) && maps.get(Ext2GetBlock.EXTENTS) == null) {
      throw new UnsupportedFeatureException(
          "ext2",
          List.of(
              "extent (no provider of the block-mapping scheme '"
                  + Ext2GetBlock.EXTENTS
                  + "': the org.mpage.fs.ext4.extents bundle is not active)"));
    }
    if (sb.blockSize > Folio.PAGE_SIZE) {
      throw new UnsupportedFeatureException(
          "ext2", List.of("block size " + sb.blockSize + " (larger than the 4096-byte page)"));
    }
    if (!options.readOnly()) {
      int readOnlyIncompat = sb.featureIncompat & ~Ext2Features.INCOMPAT_SUPP;
      if (readOnlyIncompat != 0) {
        List<String> names = new ArrayList<>(Ext2Features.incompatNames(readOnlyIncompat));
        names.add("(ext4 features this driver reads but never writes: mount read-only)");
        throw new UnsupportedFeatureException("ext2", names);
      }
      if (sb.hasCompat(Ext2Features.COMPAT_HAS_JOURNAL)) {
        throw new UnsupportedFeatureException(
            "ext2", List.of("has_journal (an ext3 image: mount it read-only to read it)"));
      }
      int roUnknown = sb.featureRoCompat & ~Ext2Features.RO_COMPAT_SUPP;
      if (roUnknown != 0) {
        List<String> names = new ArrayList<>(Ext2Features.roCompatNames(roUnknown));
        names.add("(read-only compatible: mount read-only)");
        throw new UnsupportedFeatureException("ext2", names);
      }
      if (device.capacitySectors() == 0) {
        throw new IOException(device.name() + ": device is empty");
      }
    }
    Ext2Geometry.checkSuper(
        sb,
        options.readOnly(),
        at -> readRaw(engine, device, at, Ext2Superblock.SIZE),
        deviceBytes);
    BufferCache bc = engine.bufferCache(device, sb.blockSize);
    GroupDesc[] groups = readGroupDescriptors(sb, bc, options.readOnly(), csum);
    Ext2SbInfo sbi =
        new Ext2SbInfo(
            device, engine, sb, bc, groups, options.readOnly(), csum, fixedTime(options));
    Ext2FileSystem fs =
        new Ext2FileSystem(
            sbi,
            !"off".equals(options.option("boundary", "on")),
            journal != null ? journal : Ext2Journal.status(sb),
            maps);
    Ext2Inode root = fs.inodes().iget(Ext2Inodes.ROOT_INO);
    if (!root.isDir()) {
      throw new CorruptFilesystemException(
          "the root inode is not a directory", Ext2Inodes.ROOT_INO, -1);
    }
    if (recover) {
      return replayAndRemount(fs, sbi, engine, options, maps);
    }
    if (!options.readOnly()) {
      sbi.setupSuper();
    }
    return fs;
  }

  /**
   * Replays the journal of the filesystem {@code fs} mounted as it is on disk, forgets that mount,
   * and mounts the filesystem again over the replayed blocks.
   */
  private static Ext2FileSystem replayAndRemount(
      Ext2FileSystem fs, Ext2SbInfo sbi, StorageEngine engine, MountOptions options, BlockMaps maps)
      throws IOException {
    Ext2Journal.Replay replay;
    try {
      replay = Ext2Journal.replay(sbi, fs.getBlock());
    } finally {
      fs.close();
    }
    BlockDevice overlay =
        new ReplayOverlayDevice(sbi.device(), replay.blocks(), sbi.superblock().blockSize);
    return mount(overlay, engine, options, maps, replay.status());
  }

  /**
   * Reads {@code length} bytes (at most a page) at {@code byteOffset} straight from the device,
   * past every cache: the superblock before its block size is known, and a backup superblock. A
   * read BIO waited for through the engine's block layer, so that it is counted and traced.
   */
  static ByteBuffer readRaw(StorageEngine engine, BlockDevice device, long byteOffset, int length)
      throws IOException {
    ByteBuffer mem = ByteBuffer.allocateDirect(Folio.PAGE_SIZE);
    Bio bio = new Bio(device, BioOp.READ, Set.of(BioFlag.SYNC, BioFlag.META), 1);
    bio.setSector(byteOffset / BlockDevice.SECTOR_SIZE);
    bio.addFolio(new Folio(null, 0, mem), length, 0);
    BlockStatus status = engine.submitBioWait(bio);
    if (!status.isOk()) {
      throw new BlockIOException(device.name(), BioOp.READ, bio.sector(), status);
    }
    return mem.slice(0, length);
  }

  /** The group descriptor table, each descriptor checked before the next is read. */
  private static GroupDesc[] readGroupDescriptors(
      Ext2Superblock sb, BufferCache bc, boolean readOnly, Ext2Checksums csum) throws IOException {
    if (sb.groupsCount > Integer.MAX_VALUE / 2) {
      throw new CorruptFilesystemException("impossible group count " + sb.groupsCount, -1, 1);
    }
    int n = (int) sb.groupsCount;
    GroupDesc[] out = new GroupDesc[n];
    int perBlock = sb.descPerBlock();
    for (int g = 0; g < n; g++) {
      long block = DescriptorLayout.descriptorBlock(sb, g / perBlock);
      if (block < sb.firstDataBlock || block >= sb.blocksCount) {
        throw new CorruptFilesystemException(
            "group descriptor block " + block + " outside the filesystem", -1, block);
      }
      BufferHead bh = bc.bread(block);
      try {
        int off = (g % perBlock) * sb.descSize;
        csum.checkGroupDesc(g, bh.data(), off, block);
        GroupDesc gd = GroupDesc.parse(bh.data(), off, sb.descSize);
        checkDescriptor(sb, g, gd, readOnly);
        out[g] = gd;
      } finally {
        bh.put();
      }
    }
    return out;
  }

  /**
   * Port of ext2_check_descriptors(), fs/ext2/super.c: bitmaps and table inside the group. With
   * flex_bg, as ext4_check_descriptors() has it, they may be anywhere in the filesystem.
   */
  private static void checkDescriptor(Ext2Superblock sb, int g, GroupDesc gd, boolean readOnly)
      throws CorruptFilesystemException {
    long first = sb.firstDataBlock + (long) g * sb.blocksPerGroup;
    long last = first + sb.groupOfBlockCount(g) - 1;
    String inside = "the group";
    if (sb.hasIncompat(Ext2Features.INCOMPAT_FLEX_BG)) {
      first = sb.firstDataBlock;
      last = sb.blocksCount - 1;
      inside = "the filesystem";
    }
    long tableBlocks = sb.inodeTableBlocks();
    String where = "group descriptor " + g + ": ";
    if (gd.blockBitmap() < first || gd.blockBitmap() > last) {
      throw new CorruptFilesystemException(
          where + "block bitmap " + gd.blockBitmap() + " outside " + inside, -1, gd.blockBitmap());
    }
    if (gd.inodeBitmap() < first || gd.inodeBitmap() > last) {
      throw new CorruptFilesystemException(
          where + "inode bitmap " + gd.inodeBitmap() + " outside " + inside, -1, gd.inodeBitmap());
    }
    if (gd.inodeTable() < first || gd.inodeTable() + tableBlocks - 1 > last) {
      throw new CorruptFilesystemException(
          where + "inode table at " + gd.inodeTable() + " outside " + inside, -1, gd.inodeTable());
    }
    Ext2Geometry.checkOverlap(sb, g, gd, readOnly);
  }
}
