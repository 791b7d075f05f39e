package org.mpage.device.fault;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;

/** One-page BIOs submitted and waited for, below any engine. */
final class Raw {
  private Raw() {}

  static Folio page(byte fill) {
    ByteBuffer mem = ByteBuffer.allocate(Folio.PAGE_SIZE);
    for (int i = 0; i < Folio.PAGE_SIZE; i++) {
      mem.put(i, fill);
    }
    return new Folio(null, 0, mem);
  }

  static BlockStatus io(BlockDevice dev, BioOp op, long sector, Folio folio) throws Exception {
    Bio bio = new Bio(dev, op, Set.of(), op == BioOp.FLUSH ? 0 : 1);
    bio.setSector(sector);
    if (op != BioOp.FLUSH) {
      bio.addFolio(folio, Folio.PAGE_SIZE, 0);
    }
    CompletableFuture<BlockStatus> done = new CompletableFuture<>();
    bio.setEndIo(b -> done.complete(b.status()));
    dev.submit(bio);
    return done.get(10, TimeUnit.SECONDS);
  }
}
