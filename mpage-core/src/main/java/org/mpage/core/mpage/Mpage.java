/*
 * Port of Linux fs/mpage.c (Copyright (C) 2002, Linus Torvalds; Andrew Morton; Jens Axboe and
 * others), GPL-2.0. Rewritten in Java for mpage; behaviour follows the 6.3+ revision, with the
 * capabilities of older revisions behind Revision.
 */
package org.mpage.core.mpage;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.BhState;
import org.mpage.api.page.BufferHead;
import org.mpage.api.page.Cleancache;
import org.mpage.api.page.Folio;
import org.mpage.api.page.FolioFlag;
import org.mpage.api.page.GetBlock;
import org.mpage.api.page.Inode;
import org.mpage.api.page.ReadaheadControl;
import org.mpage.api.page.SyncMode;
import org.mpage.api.page.WritebackControl;
import org.mpage.core.block.BlockLayer;
import org.mpage.core.block.IoStats;
import org.mpage.core.block.Plug;
import org.mpage.core.buffer.BufferLayer;
import org.mpage.core.pagecache.AddressSpaceOps;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.pagecache.PageCache;
import org.mpage.core.writeback.WriteCachePages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BIOs that span several page-cache pages: the Java port of {@code fs/mpage.c}.
 *
 * <p>Reads walk the pages of a readahead batch, ask the filesystem's get_block for as long an
 * extent as the batch still covers, and put every page whose blocks continue the previous page's on
 * disk into the same BIO. Writeback does the same for dirty pages, one block per get_block call. A
 * page never spans BIOs: tracking one page's completion across several BIOs is what the buffer path
 * already does, so any page that does not map to one contiguous run of blocks (a hole before data,
 * discontiguous blocks, buffers already attached, a get_block error) is "confused" and handed to
 * the buffer path after the pending BIO is sent. A page with holes only at its end, the common
 * end-of-file case, stays on the fast path.
 *
 * <p>Boundary: mapping some blocks needs metadata I/O (an ext2 indirect block right after data
 * block 11). The filesystem flags the last block before such a point with {@link BhState#BOUNDARY};
 * the engine then submits what it has gathered before asking for the next mapping, so the disk sees
 * data 0-11, the indirect block, then data 12 onwards, in order.
 *
 * <p>Thread-safety: an instance is shared; all per-call state lives in {@link MpageReadpageArgs}
 * and {@link MpageData}.
 */
public final class Mpage {
  private static final Logger LOG = LoggerFactory.getLogger(Mpage.class);

  /** Most blocks in one page: a 4096-byte page of 512-byte blocks. */
  static final int MAX_BUF_PER_PAGE = Folio.PAGE_SIZE / 512;

  /** Returned by the 2.6 single-page writepage when the page needs the buffer path. */
  public static final int EAGAIN = 11;

  private static final Set<BioFlag> RAHEAD = EnumSet.of(BioFlag.RAHEAD);
  private static final Set<BioFlag> NONE = EnumSet.noneOf(BioFlag.class);
  private static final Set<BioFlag> SYNC = EnumSet.of(BioFlag.SYNC);

  private final BlockLayer blk;
  private final BufferLayer buffers;
  private final PageCache cache;
  private final IoStats stats;
  private final Revision revision;

  public Mpage(BufferLayer buffers, Revision revision) {
    this.buffers = buffers;
    this.blk = buffers.blockLayer();
    this.cache = buffers.pageCache();
    this.stats = blk.stats();
    this.revision = revision;
  }

  public Revision revision() {
    return revision;
  }

  public BufferLayer buffers() {
    return buffers;
  }

  // ---- completion ----

  /** Port of mpage_read_end_io(), fs/mpage.c, Linux 6.3. */
  private static void mpageReadEndIo(Bio bio) {
    boolean err = !bio.status().isOk();
    for (int i = 0; i < bio.vecCount(); i++) {
      Folio folio = bio.vec(i).folio();
      if (err) {
        folio.set(FolioFlag.ERROR);
      } else {
        folio.markUptodate();
      }
      folio.unlock();
    }
  }

  /** Port of mpage_write_end_io(), fs/mpage.c, Linux 6.3. */
  private static void mpageWriteEndIo(Bio bio) {
    int errno = bio.status().errno();
    for (int i = 0; i < bio.vecCount(); i++) {
      Folio folio = bio.vec(i).folio();
      Mapping mapping = (Mapping) folio.mapping();
      if (errno != 0) {
        folio.set(FolioFlag.ERROR);
        mapping.setError(errno);
      }
      mapping.endWriteback(folio);
    }
  }

  /** Port of mpage_bio_submit_read(); always returns null, the caller's new bio. */
  private Bio mpageBioSubmitRead(Bio bio) {
    bio.setEndIo(Mpage::mpageReadEndIo);
    BlockLayer.guardBioEod(bio);
    blk.submitBio(bio);
    return null;
  }

  /** Port of mpage_bio_submit_write(); always returns null. */
  private Bio mpageBioSubmitWrite(Bio bio) {
    bio.setEndIo(Mpage::mpageWriteEndIo);
    BlockLayer.guardBioEod(bio);
    blk.submitBio(bio);
    return null;
  }

  // ---- read ----

  /**
   * Port of map_buffer_to_folio(), fs/mpage.c. get_block returned an uptodate buffer: record it in
   * the folio so the buffer path does not map it again; for one block per page no buffers are
   * needed, the folio is simply uptodate.
   */
  private static void mapBufferToFolio(Folio folio, BufferHead bh, int pageBlock) {
    Inode inode = folio.mapping().host();
    BufferHead head = folio.buffers();
    if (head == null) {
      if (inode.blockBits() == Folio.PAGE_SHIFT && bh.isUptodate()) {
        folio.markUptodate();
        return;
      }
      head = BufferLayer.createEmptyBuffers(folio, inode.blockSize(), Set.of());
    }
    BufferHead pageBh = head;
    int block = 0;
    do {
      if (block == pageBlock) {
        pageBh.copyStateFrom(bh);
        pageBh.setBdev(bh.bdev());
        pageBh.setBlocknr(bh.blocknr());
        break;
      }
      pageBh = pageBh.thisPage();
      block++;
    } while (pageBh != head);
  }

  /**
   * Port of do_mpage_readpage(), fs/mpage.c, Linux 6.3. Maps the blocks of {@code args.folio},
   * reusing the extent of the previous get_block call, and adds the folio to {@code args.bio} or
   * sends it to the buffer path. Returns the BIO still being built (or null).
   *
   * <p>Deviation: with the 5.x rw_page path, a device error completes the folio with an error
   * instead of also trying a BIO on the already unlocked folio.
   */
  private Bio doMpageReadpage(MpageReadpageArgs args) {
    Folio folio = args.folio;
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    final int blkbits = inode.blockBits();
    final int blocksPerPage = Folio.PAGE_SIZE >> blkbits;
    final int blocksize = 1 << blkbits;
    BufferHead mapBh = args.mapBh;
    long[] blocks = args.blocks;
    int firstHole = blocksPerPage;
    BlockDevice bdev = null;
    boolean fullyMapped = true;
    Set<BioFlag> opf = args.isReadahead ? RAHEAD : NONE;

    if (folio.buffers() != null) {
      return confused(args); // the buffer path owns pages with buffers
    }

    long blockInFile = folio.index() << (Folio.PAGE_SHIFT - blkbits);
    long lastBlock = blockInFile + (long) args.nrPages * blocksPerPage;
    long lastBlockInFile = (inode.size() + blocksize - 1) >> blkbits;
    if (lastBlock > lastBlockInFile) {
      lastBlock = lastBlockInFile;
    }
    int pageBlock = 0;

    // First use what is left of the extent the previous get_block call returned.
    long nblocks = mapBh.size() >> blkbits;
    if (mapBh.isMapped()
        && blockInFile > args.firstLogicalBlock
        && blockInFile < args.firstLogicalBlock + nblocks) {
      long mapOffset = blockInFile - args.firstLogicalBlock;
      long last = nblocks - mapOffset;
      for (int relativeBlock = 0; ; relativeBlock++) {
        if (relativeBlock == last) {
          mapBh.clear(BhState.MAPPED);
          break;
        }
        if (pageBlock == blocksPerPage) {
          break;
        }
        blocks[pageBlock] = mapBh.blocknr() + mapOffset + relativeBlock;
        pageBlock++;
        blockInFile++;
      }
      bdev = mapBh.bdev();
    }

    // Then ask get_block until the folio is covered. The folio is passed along so that a
    // filesystem that fills data itself (UPTODATE) knows where.
    mapBh.setFolio(folio);
    while (pageBlock < blocksPerPage) {
      mapBh.clearState();
      mapBh.setSize(0);
      if (blockInFile < lastBlock) {
        mapBh.setSize(extentBytes(lastBlock - blockInFile, blkbits));
        try {
          stats.countGetBlock();
          args.getBlock.getBlock(inode, blockInFile, mapBh, false);
        } catch (IOException e) {
          LOG.debug("get_block failed: inode {} block {}", inode.ino(), blockInFile, e);
          return confused(args);
        }
        args.firstLogicalBlock = blockInFile;
      }

      if (!mapBh.isMapped()) {
        fullyMapped = false;
        if (firstHole == blocksPerPage) {
          firstHole = pageBlock;
        }
        pageBlock++;
        blockInFile++;
        continue;
      }

      // The filesystem filled the data itself; let the buffer path finish the folio without
      // another get_block call for this block.
      if (mapBh.isUptodate()) {
        mapBufferToFolio(folio, mapBh, pageBlock);
        return confused(args);
      }

      if (firstHole != blocksPerPage) {
        return confused(args); // hole -> non-hole
      }

      if (pageBlock != 0 && blocks[pageBlock - 1] != mapBh.blocknr() - 1) {
        return confused(args); // discontiguous blocks in one folio
      }
      nblocks = mapBh.size() >> blkbits;
      for (int relativeBlock = 0; ; relativeBlock++) {
        if (relativeBlock == nblocks) {
          mapBh.clear(BhState.MAPPED);
          break;
        } else if (pageBlock == blocksPerPage) {
          break;
        }
        blocks[pageBlock] = mapBh.blocknr() + relativeBlock;
        pageBlock++;
        blockInFile++;
      }
      bdev = mapBh.bdev();
    }

    if (firstHole != blocksPerPage) {
      folio.zero(firstHole << blkbits, Folio.PAGE_SIZE);
      if (firstHole == 0) {
        folio.markUptodate();
        folio.unlock();
        return args.bio;
      }
    } else if (fullyMapped) {
      folio.set(FolioFlag.MAPPEDTODISK);
    }

    if (revision.cleancache()
        && fullyMapped
        && blocksPerPage == 1
        && !folio.isUptodate()
        && cleancacheGetPage(mapping, folio)) {
      folio.markUptodate();
      return confused(args); // hit: submits the pending BIO and unlocks the folio
    }

    // This folio goes into a BIO; send the current one first if the folio does not continue it.
    if (args.bio != null && args.lastBlockInBio != blocks[0] - 1) {
      args.bio = mpageBioSubmitRead(args.bio);
    }

    int length = firstHole << blkbits;
    while (true) {
      if (args.bio == null) {
        if (firstHole == blocksPerPage
            && revision.rwPage()
            && bdevReadPage(bdev, blocks[0] << (blkbits - 9), folio)) {
          return args.bio;
        }
        args.bio = new Bio(bdev, BioOp.READ, opf, Math.min(args.nrPages, Bio.MAX_VECS));
        args.bio.setSector(blocks[0] << (blkbits - 9));
      }
      if (args.bio.addFolio(folio, length, 0)) {
        break;
      }
      args.bio = mpageBioSubmitRead(args.bio); // full: send it and start another
    }

    long relativeBlock = blockInFile - args.firstLogicalBlock;
    nblocks = mapBh.size() >> blkbits;
    if ((mapBh.isBoundary() && relativeBlock == nblocks) || firstHole != blocksPerPage) {
      args.bio = mpageBioSubmitRead(args.bio);
    } else {
      args.lastBlockInBio = blocks[blocksPerPage - 1];
    }
    return args.bio;
  }

  /** The {@code confused:} exit of do_mpage_readpage(): the buffer path reads the folio. */
  private Bio confused(MpageReadpageArgs args) {
    stats.countConfused();
    if (args.bio != null) {
      args.bio = mpageBioSubmitRead(args.bio);
    }
    if (!args.folio.isUptodate()) {
      buffers.blockReadFullFolio(args.folio, args.getBlock);
    } else {
      args.folio.unlock();
    }
    return args.bio;
  }

  private static int extentBytes(long blocks, int blkbits) {
    // A BufferHead size is an int; a longer extent is simply asked for in several calls.
    long max = (Integer.MAX_VALUE >> blkbits);
    return (int) (Math.min(blocks, max) << blkbits);
  }

  private boolean cleancacheGetPage(Mapping mapping, Folio folio) {
    Cleancache cc = cache.cleancache();
    if (cc == null || !cc.getPage(mapping.pool(), mapping.host().ino(), folio.index(), folio)) {
      return false;
    }
    stats.countCleancacheHit();
    return true;
  }

  /**
   * Port of bdev_read_page(), block/bdev.c, Linux 5.x: a synchronous read through the device's
   * rw_page hook, completed as the driver's page_endio() would. False when the device has no such
   * hook, and the caller builds a BIO.
   */
  private boolean bdevReadPage(BlockDevice bdev, long sector, Folio folio) {
    if (!bdev.hasRwPage()) {
      return false;
    }
    BlockStatus status = bdev.rwPage(BioOp.READ, sector, folio);
    if (status == BlockStatus.NOTSUPP) {
      return false;
    }
    stats.countRwPage();
    if (status.isOk()) {
      folio.markUptodate();
    } else {
      folio.clear(FolioFlag.UPTODATE);
      folio.set(FolioFlag.ERROR);
    }
    folio.unlock();
    return true;
  }

  /**
   * Port of mpage_readahead(), fs/mpage.c, Linux 6.3: reads the folios of a readahead batch in as
   * few BIOs as their mapping allows. BIOs carry {@link BioFlag#RAHEAD}.
   */
  public void mpageReadahead(ReadaheadControl rac, GetBlock getBlock) {
    MpageReadpageArgs args = new MpageReadpageArgs(getBlock, true);
    Folio folio;
    while ((folio = rac.nextFolio()) != null) {
      args.folio = folio;
      args.nrPages = rac.count();
      args.bio = doMpageReadpage(args);
    }
    if (args.bio != null) {
      mpageBioSubmitRead(args.bio);
    }
  }

  /** Port of mpage_read_folio(), fs/mpage.c, Linux 6.3: reads one locked folio. */
  public void mpageReadFolio(Folio folio, GetBlock getBlock) {
    MpageReadpageArgs args = new MpageReadpageArgs(getBlock, false);
    args.folio = folio;
    args.nrPages = 1;
    args.bio = doMpageReadpage(args);
    if (args.bio != null) {
      mpageBioSubmitRead(args.bio);
    }
  }

  /**
   * Port of mpage_readpages(), fs/mpage.c, Linux 2.6: adds a page for each index not yet cached and
   * reads them all over the same engine, plugged. Indices must ascend.
   */
  public void mpageReadpages(Mapping mapping, List<Long> indices, GetBlock getBlock) {
    MpageReadpageArgs args = new MpageReadpageArgs(getBlock, true);
    try (Plug plug = blk.startPlug()) {
      int nrPages = indices.size();
      for (int pageIdx = 0; pageIdx < nrPages; pageIdx++) {
        Folio folio = mapping.addNewFolioLocked(indices.get(pageIdx));
        if (folio == null) {
          continue; // already cached
        }
        args.folio = folio;
        args.nrPages = nrPages - pageIdx;
        args.bio = doMpageReadpage(args);
        cache.put(folio);
      }
      if (args.bio != null) {
        mpageBioSubmitRead(args.bio);
      }
    }
  }

  // ---- write ----

  /**
   * Port of clean_buffers(), fs/mpage.c: the folio is in a BIO now, so the buffers it covers are
   * clean. Only those before {@code firstUnmapped} are written.
   */
  private static void cleanBuffers(Folio folio, int firstUnmapped) {
    BufferHead head = folio.buffers();
    if (head == null) {
      return;
    }
    BufferHead bh = head;
    int bufferCounter = 0;
    do {
      if (bufferCounter++ == firstUnmapped) {
        break;
      }
      bh.clear(BhState.DIRTY);
      bh = bh.thisPage();
    } while (bh != head);
  }

  /**
   * Port of __mpage_writepage(), fs/mpage.c, Linux 6.3. Maps the blocks of a locked, dirty-cleared
   * folio (through its buffers if it has them, else through get_block with create) and adds it to
   * the BIO being built, or hands it to the buffer path. Returns 0 or a positive errno.
   */
  private int mpageWritepage(Folio folio, WritebackControl wbc, MpageData mpd) {
    Bio bio = mpd.bio;
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    final int blkbits = inode.blockBits();
    final int blocksPerPage = Folio.PAGE_SIZE >> blkbits;
    long[] blocks = mpd.blocks;
    int firstUnmapped = blocksPerPage;
    BlockDevice bdev = null;
    boolean boundary = false;
    long boundaryBlock = 0;
    BlockDevice boundaryBdev = null;
    long iSize = inode.size();
    BufferHead head = folio.buffers();

    if (head != null) {
      // Use the buffers' mapping if they are all mapped, dirty and contiguous.
      BufferHead bh = head;
      int pageBlock = 0;
      do {
        if (bh.isLocked()) {
          throw new IllegalStateException("locked buffer on a folio being written: " + bh);
        }
        if (!bh.isMapped()) {
          // Unmapped dirty buffers come from writes through a mapping over a hole.
          if (bh.isDirty()) {
            return confused(folio, wbc, mpd, bio);
          }
          if (firstUnmapped == blocksPerPage) {
            firstUnmapped = pageBlock;
          }
          continue;
        }
        if (firstUnmapped != blocksPerPage) {
          return confused(folio, wbc, mpd, bio); // hole -> non-hole
        }
        if (!bh.isDirty() || !bh.isUptodate()) {
          return confused(folio, wbc, mpd, bio);
        }
        if (pageBlock != 0 && bh.blocknr() != blocks[pageBlock - 1] + 1) {
          return confused(folio, wbc, mpd, bio);
        }
        blocks[pageBlock++] = bh.blocknr();
        boundary = bh.isBoundary();
        if (boundary) {
          boundaryBlock = bh.blocknr();
          boundaryBdev = bh.bdev();
        }
        bdev = bh.bdev();
      } while ((bh = bh.thisPage()) != head);

      if (firstUnmapped == 0) {
        // Buffers, all unmapped: read over a hole by the buffer path. Rare with mpage reads.
        return confused(folio, wbc, mpd, bio);
      }
    } else {
      // No buffers: map the folio here.
      if (!folio.isUptodate()) {
        throw new IllegalStateException("writeback of a folio that is not uptodate: " + folio);
      }
      long blockInFile = folio.index() << (Folio.PAGE_SHIFT - blkbits);
      // A folio wholly beyond EOF allocates nothing (the 6.3 fix of a block leak).
      if (blockInFile < (iSize + (1 << blkbits) - 1) >> blkbits) {
        long lastBlock = (iSize - 1) >> blkbits;
        BufferHead mapBh = mpd.mapBh;
        mapBh.setFolio(folio);
        int pageBlock = 0;
        while (pageBlock < blocksPerPage) {
          mapBh.clearState();
          mapBh.setSize(1 << blkbits);
          try {
            stats.countGetBlock();
            mpd.getBlock.getBlock(inode, blockInFile, mapBh, true);
          } catch (IOException e) {
            LOG.debug("get_block(create) failed: inode {} block {}", inode.ino(), blockInFile, e);
            return confused(folio, wbc, mpd, bio);
          }
          if (!mapBh.isMapped()) {
            return confused(folio, wbc, mpd, bio);
          }
          if (mapBh.isNew()) {
            buffers.cleanBdevBhAlias(mapBh);
          }
          if (mapBh.isBoundary()) {
            boundaryBlock = mapBh.blocknr();
            boundaryBdev = mapBh.bdev();
          }
          if (pageBlock != 0 && mapBh.blocknr() != blocks[pageBlock - 1] + 1) {
            return confused(folio, wbc, mpd, bio);
          }
          blocks[pageBlock++] = mapBh.blocknr();
          boundary = mapBh.isBoundary();
          bdev = mapBh.bdev();
          if (blockInFile == lastBlock) {
            break;
          }
          blockInFile++;
        }
        firstUnmapped = pageBlock;
      }
    }
    return pageIsMapped(
        folio, wbc, mpd, bio, firstUnmapped, bdev, boundary, boundaryBlock, boundaryBdev);
  }

  /** The {@code page_is_mapped:} part of __mpage_writepage(): EOF handling and BIO building. */
  private int pageIsMapped(
      Folio folio,
      WritebackControl wbc,
      MpageData mpd,
      Bio bio,
      int firstUnmapped,
      BlockDevice bdev,
      boolean boundary,
      long boundaryBlock,
      BlockDevice boundaryBdev) {
    Mapping mapping = (Mapping) folio.mapping();
    Inode inode = mapping.host();
    final int blkbits = inode.blockBits();
    final int blocksPerPage = Folio.PAGE_SIZE >> blkbits;
    long[] blocks = mpd.blocks;
    long iSize = inode.size();

    // Nothing to write beyond EOF: truncate will drop the folio.
    if (folio.pos() >= iSize) {
      return confused(folio, wbc, mpd, bio);
    }
    if (folio.pos() + Folio.PAGE_SIZE > iSize) {
      // The folio straddles EOF: its tail must be zero on disk, whatever memory holds.
      folio.zero((int) (iSize - folio.pos()), Folio.PAGE_SIZE);
    }

    if (bio != null && mpd.lastBlockInBio != blocks[0] - 1) {
      bio = mpageBioSubmitWrite(bio);
    }

    int length = firstUnmapped << blkbits;
    while (true) {
      if (bio == null) {
        if (firstUnmapped == blocksPerPage
            && revision.rwPage()
            && bdevWritePage(bdev, blocks[0] << (blkbits - 9), folio, mapping)) {
          mpd.bio = null;
          return 0;
        }
        bio = new Bio(bdev, BioOp.WRITE, writeFlags(wbc), Bio.MAX_VECS);
        bio.setSector(blocks[0] << (blkbits - 9));
      }
      // Add before cleaning buffers: if this failed for good, the buffer path would need them.
      if (bio.addFolio(folio, length, 0)) {
        break;
      }
      bio = mpageBioSubmitWrite(bio);
    }

    cleanBuffers(folio, firstUnmapped);
    if (folio.isWriteback()) {
      throw new IllegalStateException("folio already under writeback: " + folio);
    }
    mapping.startWriteback(folio);
    folio.unlock();
    if (boundary || firstUnmapped != blocksPerPage) {
      bio = mpageBioSubmitWrite(bio);
      if (boundaryBlock != 0) {
        buffers.writeBoundaryBlock(boundaryBdev, boundaryBlock, 1 << blkbits);
      }
    } else {
      mpd.lastBlockInBio = blocks[blocksPerPage - 1];
    }
    mpd.bio = bio;
    return 0;
  }

  /**
   * A single folio and no get_block to map it: only the mapping's writepage can write it. With no
   * writepage either, the folio stays locked and EAGAIN tells the caller to write it another way.
   */
  private int writepageWithoutGetBlock(Folio folio, WritebackControl wbc) {
    Mapping mapping = (Mapping) folio.mapping();
    AddressSpaceOps ops = mapping.ops();
    if (ops == null || !ops.hasWritepage()) {
      return EAGAIN;
    }
    int ret = ops.writepage(folio, wbc);
    mapping.setError(ret);
    return ret;
  }

  /** The {@code confused:} exit of __mpage_writepage(): the buffer path writes the folio. */
  private int confused(Folio folio, WritebackControl wbc, MpageData mpd, Bio bio) {
    stats.countConfused();
    if (bio != null) {
      mpageBioSubmitWrite(bio);
    }
    mpd.bio = null;
    if (!mpd.useWritepage) {
      return EAGAIN; // 2.6 mpage_writepage: the caller decides, the folio stays locked
    }
    int ret = buffers.blockWriteFullPage(folio, mpd.getBlock, wbc);
    ((Mapping) folio.mapping()).setError(ret);
    return ret;
  }

  private static Set<BioFlag> writeFlags(WritebackControl wbc) {
    return wbc.syncMode() == SyncMode.ALL ? SYNC : NONE;
  }

  /**
   * Port of bdev_write_page(), block/bdev.c, Linux 5.x: a synchronous write through rw_page. The
   * buffers are cleaned while the folio is still locked (the 4.14 fix). False when the device has
   * no hook or the write failed; the caller then builds a BIO.
   */
  private boolean bdevWritePage(BlockDevice bdev, long sector, Folio folio, Mapping mapping) {
    if (!bdev.hasRwPage()) {
      return false;
    }
    mapping.startWriteback(folio);
    BlockStatus status = bdev.rwPage(BioOp.WRITE, sector, folio);
    if (!status.isOk()) {
      mapping.endWriteback(folio);
      return false;
    }
    stats.countRwPage();
    mapping.endWriteback(folio); // the driver's page_endio()
    cleanBuffers(folio, Integer.MAX_VALUE);
    folio.unlock();
    return true;
  }

  /**
   * Port of mpage_writepages(), fs/mpage.c, Linux 6.3: writes the mapping's dirty folios as {@code
   * wbc} says, in as few BIOs as their blocks allow, under a plug. Returns 0 or the first errno.
   * Without a get_block (as 2.6 allowed) each folio goes through the mapping's own writepage.
   */
  public int mpageWritepages(Mapping mapping, WritebackControl wbc, GetBlock getBlock) {
    if (getBlock == null) {
      return WriteCachePages.genericWritepages(mapping, wbc, blk);
    }
    MpageData mpd = new MpageData(getBlock, true);
    try (Plug plug = blk.startPlug()) {
      int ret =
          WriteCachePages.writeCachePages(
              mapping, wbc, blk, (folio, w) -> mpageWritepage(folio, w, mpd));
      if (mpd.bio != null) {
        mpageBioSubmitWrite(mpd.bio);
      }
      return ret;
    }
  }

  /**
   * Port of mpage_writepage(), fs/mpage.c, Linux 2.6: writes one locked, dirty-cleared folio.
   * Returns {@link #EAGAIN}, leaving the folio locked, when it would need the buffer path.
   */
  public int mpageWritepageSingle(Folio folio, GetBlock getBlock, WritebackControl wbc) {
    if (getBlock == null) {
      return writepageWithoutGetBlock(folio, wbc);
    }
    MpageData mpd = new MpageData(getBlock, false);
    int ret = mpageWritepage(folio, wbc, mpd);
    if (mpd.bio != null) {
      mpageBioSubmitWrite(mpd.bio);
    }
    return ret;
  }
}
