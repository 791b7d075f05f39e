package org.mpage.core.testing;

import java.util.Arrays;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.page.Folio;
import org.mpage.api.page.GetBlock;
import org.mpage.core.MpageEngine;
import org.mpage.core.file.CachedFile;
import org.mpage.core.file.SimpleInode;
import org.mpage.core.mpage.Revision;
import org.mpage.core.pagecache.Mapping;
import org.mpage.core.readahead.Readahead;
import org.mpage.device.ramdisk.RamDisk;

/**
 * An engine (flusher off) over a recording device backed by a real device (a RAM disk unless told
 * otherwise) filled with {@link DeviceIo#diskByte}, and helpers to read, dirty and inspect pages of
 * scripted files.
 */
public final class Harness implements AutoCloseable {
  /** Makes the backing device of a given size in bytes. */
  @FunctionalInterface
  public interface Backing {
    BlockDevice create(long bytes) throws Exception;
  }

  /** A RAM disk. */
  public static final Backing RAMDISK = bytes -> new RamDisk("rd0", bytes);

  public final BlockDevice disk;
  public final RecordingDevice dev;
  public final MpageEngine engine;
  private long nextIno = 10;

  public Harness(long diskBytes, Revision revision) throws Exception {
    this(diskBytes, revision, MpageEngine.Config.defaults());
  }

  public Harness(long diskBytes, Revision revision, MpageEngine.Config config) throws Exception {
    this(diskBytes, revision, config, RAMDISK);
  }

  public Harness(long diskBytes, Revision revision, MpageEngine.Config config, Backing backing)
      throws Exception {
    this.disk = backing.create(diskBytes);
    DeviceIo.fillPattern(disk, 0, diskBytes);
    this.dev = new RecordingDevice(disk);
    this.engine = new MpageEngine(config.withRevision(revision).withFlusher(false, 1000, 1000));
  }

  public Harness(long diskBytes) throws Exception {
    this(diskBytes, Revision.V6_3);
  }

  public ScriptedGetBlock getBlock(int blockBits) {
    return new ScriptedGetBlock(dev, blockBits);
  }

  public CachedFile file(int blockBits, long size, GetBlock getBlock) {
    return engine
        .files()
        .file("file", new SimpleInode(nextIno++, blockBits, size), getBlock, dev.name());
  }

  public CachedFile bufferPathFile(int blockBits, long size, GetBlock getBlock) {
    return engine
        .files()
        .bufferPathFile("file", new SimpleInode(nextIno++, blockBits, size), getBlock, dev.name());
  }

  /** One readahead batch of {@code n} pages from {@code index}, as read_pages() hands it over. */
  public void readahead(CachedFile file, long index, int n) {
    new Readahead(engine.blockLayer()).pageCacheRaUnbounded(file.mapping(), index, n, 0);
    dev.awaitIdle();
  }

  public Folio folio(CachedFile file, long index) {
    return file.mapping().findFolio(index);
  }

  /** Bytes the disk holds for physical block {@code phys} of {@code blockSize} bytes. */
  public static byte[] diskBlock(long phys, int blockSize) {
    byte[] b = new byte[blockSize];
    for (int i = 0; i < blockSize; i++) {
      b[i] = DeviceIo.diskByte(phys * blockSize + i);
    }
    return b;
  }

  /** {@code length} bytes of a folio from {@code offset}. */
  public static byte[] bytes(Folio folio, int offset, int length) {
    byte[] b = new byte[length];
    folio.rawMemory().get(offset, b, 0, length);
    return b;
  }

  public static boolean isZero(Folio folio, int from, int to) {
    for (int i = from; i < to; i++) {
      if (folio.rawMemory().get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /** The byte written into page {@code index} at {@code offset} by {@link #dirty}. */
  public static byte dataByte(long index, int offset, int seed) {
    return (byte) (index * 31 + offset * 7L + seed);
  }

  /** Makes page {@code index} uptodate with {@link #dataByte} content and dirty, unlocked. */
  public Folio dirty(CachedFile file, long index, int seed) {
    Mapping mapping = file.mapping();
    Folio folio = mapping.grabFolioLocked(index);
    byte[] data = new byte[Folio.PAGE_SIZE];
    for (int i = 0; i < data.length; i++) {
      data[i] = dataByte(index, i, seed);
    }
    folio.rawMemory().put(0, data);
    folio.markUptodate();
    mapping.dirtyFolio(folio);
    folio.unlock();
    engine.pageCache().put(folio);
    return folio;
  }

  public static boolean sameBytes(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }

  @Override
  public void close() {
    engine.close();
    disk.close();
  }
}
