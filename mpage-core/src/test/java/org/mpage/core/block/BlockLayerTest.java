package org.mpage.core.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;
import org.mpage.core.testing.RecordingDevice;
import org.mpage.device.ramdisk.RamDisk;

/** Plugging, merging, end-of-device trimming. */
class BlockLayerTest {
  private static Bio bio(RecordingDevice dev, long sector, int pages, List<BlockStatus> done) {
    Bio bio = new Bio(dev, BioOp.WRITE, Set.of(), pages);
    bio.setSector(sector);
    for (int i = 0; i < pages; i++) {
      bio.addFolio(new Folio(null, i, ByteBuffer.allocateDirect(4096)), 4096, 0);
    }
    bio.setEndIo(b -> done.add(b.status()));
    return bio;
  }

  @Test
  void plug_mergesAdjacentBios_andCompletesEachOfThem() {
    RecordingDevice dev = new RecordingDevice(new RamDisk("rd", 1 << 20));
    dev.setNoMerges(false);
    BlockLayer blk = new BlockLayer();
    List<BlockStatus> done = new ArrayList<>();
    try (Plug plug = blk.startPlug()) {
      blk.submitBio(bio(dev, 0, 2, done));
      blk.submitBio(bio(dev, 16, 1, done));
      blk.submitBio(bio(dev, 24, 1, done));
      blk.submitBio(bio(dev, 100, 1, done));
      assertEquals(0, dev.entries().size(), "held in the plug");
    }
    assertEquals(List.of("WRITE@0:16384/4", "WRITE@100:4096/1"), dev.briefs());
    assertEquals(4, done.size());
    assertEquals(2, blk.stats().snapshot().merges());
  }

  @Test
  void plug_neverMergesBeyondMaxVecs() {
    RecordingDevice dev = new RecordingDevice(new RamDisk("rd", 8 << 20));
    dev.setNoMerges(false);
    BlockLayer blk = new BlockLayer();
    List<BlockStatus> done = new ArrayList<>();
    try (Plug plug = blk.startPlug()) {
      blk.submitBio(bio(dev, 0, 256, done));
      blk.submitBio(bio(dev, 2048, 44, done));
    }
    assertEquals(List.of("WRITE@0:1048576/256", "WRITE@2048:180224/44"), dev.briefs());
  }

  @Test
  void plug_noMergesDevice_seesEveryBio() {
    RecordingDevice dev = new RecordingDevice(new RamDisk("rd", 1 << 20));
    BlockLayer blk = new BlockLayer();
    List<BlockStatus> done = new ArrayList<>();
    try (Plug plug = blk.startPlug()) {
      blk.submitBio(bio(dev, 0, 1, done));
      blk.submitBio(bio(dev, 8, 1, done));
    }
    assertEquals(2, dev.entries().size());
  }

  @Test
  void plug_flushesItselfWhenFull() {
    RecordingDevice dev = new RecordingDevice(new RamDisk("rd", 8 << 20));
    BlockLayer blk = new BlockLayer();
    List<BlockStatus> done = new ArrayList<>();
    try (Plug plug = blk.startPlug()) {
      for (int i = 0; i < Plug.MAX_REQUESTS + 1; i++) {
        blk.submitBio(bio(dev, i * 16L, 1, done));
      }
      assertEquals(Plug.MAX_REQUESTS + 1, dev.entries().size());
    }
  }

  @Test
  void guardBioEod_readTruncatedAndZeroed_writeOnlyTruncated() {
    RecordingDevice dev = new RecordingDevice(new RamDisk("rd", 1002 * 512));
    Folio page = new Folio(null, 0, ByteBuffer.allocateDirect(4096));
    for (int i = 0; i < 4096; i++) {
      page.rawMemory().put(i, (byte) 1);
    }
    Bio read = new Bio(dev, BioOp.READ, Set.of(), 1);
    read.setSector(1000);
    read.addFolio(page, 4096, 0);
    BlockLayer.guardBioEod(read);
    assertEquals(1024, read.size());
    assertEquals(1, read.vecCount(), "segment table untouched");
    assertEquals(0, page.rawMemory().get(1024));
    assertEquals(1, page.rawMemory().get(1023));

    Folio page2 = new Folio(null, 0, ByteBuffer.allocateDirect(4096));
    page2.rawMemory().put(2000, (byte) 7);
    Bio write = new Bio(dev, BioOp.WRITE, Set.of(), 1);
    write.setSector(1000);
    write.addFolio(page2, 4096, 0);
    BlockLayer.guardBioEod(write);
    assertEquals(1024, write.size());
    assertEquals(7, page2.rawMemory().get(2000), "a write's cut-off part is left alone");

    Bio beyond = new Bio(dev, BioOp.READ, Set.of(), 1);
    beyond.setSector(1002);
    beyond.addFolio(page2, 4096, 0);
    BlockLayer.guardBioEod(beyond);
    assertEquals(4096, beyond.size(), "a BIO starting at the end is the device's to fail");
    assertTrue(beyond.segments().size() == 1);
  }
}
