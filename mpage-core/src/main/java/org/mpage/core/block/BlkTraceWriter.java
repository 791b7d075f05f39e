package org.mpage.core.block;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;

/**
 * Writes BIO events as text, one line each, in the spirit of {@code blkparse}'s default output:
 *
 * <pre>
 *   DEVICE SEQ SECONDS TID ACTION RWBS SECTOR + SECTORS [THREAD]
 *   disk0 12 0.004123017 1 Q RA 2048 + 2048 [main]
 * </pre>
 *
 * ACTION is Q (queued by the engine), D (dispatched to the device, after merging) or C (completed);
 * RWBS is R, W or F (flush) followed by A (readahead), S (sync), F (FUA) as blkparse writes them.
 * Seconds count from the writer's creation. Thread-safe; {@link #close()} flushes.
 */
public final class BlkTraceWriter implements BioTracer, AutoCloseable {
  /** The header line, a comment for readers of the file. */
  public static final String HEADER =
      "# device seq seconds tid action rwbs sector + sectors [thread]";

  private final BufferedWriter out;
  private final long start = System.nanoTime();
  private final AtomicLong seq = new AtomicLong();
  private IOException failure;

  public BlkTraceWriter(Path file) throws IOException {
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    out.write(HEADER);
    out.newLine();
  }

  @Override
  public void event(Action action, Bio bio) {
    long t = System.nanoTime() - start;
    Thread me = Thread.currentThread();
    String line =
        String.format(
            "%s %d %d.%09d %d %c %s %d + %d [%s]",
            bio.bdev().name(),
            seq.incrementAndGet(),
            t / 1_000_000_000L,
            t % 1_000_000_000L,
            me.getId(),
            code(action),
            rwbs(bio),
            bio.sector(),
            bio.sectors(),
            me.getName());
    synchronized (this) {
      if (failure != null) {
        return;
      }
      try {
        out.write(line);
        out.newLine();
      } catch (IOException e) {
        failure = e; // tracing must not fail I/O; reported at close
      }
    }
  }

  private static char code(Action a) {
    return switch (a) {
      case QUEUE -> 'Q';
      case DISPATCH -> 'D';
      case COMPLETE -> 'C';
    };
  }

  static String rwbs(Bio bio) {
    StringBuilder sb = new StringBuilder(4);
    sb.append(
        switch (bio.op()) {
          case READ -> 'R';
          case WRITE -> 'W';
          case FLUSH -> 'F';
        });
    if (bio.hasFlag(BioFlag.RAHEAD)) {
      sb.append('A');
    }
    if (bio.hasFlag(BioFlag.SYNC)) {
      sb.append('S');
    }
    if (bio.hasFlag(BioFlag.FUA)) {
      sb.append('F');
    }
    return sb.toString();
  }

  /** Flushes and closes the file; a write error met while tracing is thrown here. */
  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
    if (failure != null) {
      throw new UncheckedIOException("writing the BIO trace", failure);
    }
  }
}
