package org.mpage.device.fault;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BioVec;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockStatus;
import org.mpage.api.page.Folio;

/**
 * dm-flakey: a device that is up for a while, then down for a while, and so on, starting up. While
 * up every BIO passes to the lower device; while down the BIOs that carry data suffer the mode:
 *
 * <pre>
 *   |&lt;-- up --&gt;|&lt;- down -&gt;|&lt;-- up --&gt;|&lt;- down -&gt;| ...   intervals in ms (up.ms, down.ms)
 *   0                                                 or in BIOs (up.bios, down.bios)
 *
 *   error          reads and writes complete with IOERR (dm-flakey without features)
 *   error-reads    reads complete with IOERR, writes pass
 *   error-writes   writes complete with IOERR, reads pass (error_writes)
 *   drop-writes    writes complete OK without reaching the device (drop_writes)
 *   corrupt-reads  reads pass, then one byte of the data read is corrupted (corrupt_bio_byte .. r)
 *   corrupt-writes a copy of the data with one byte corrupted is written (corrupt_bio_byte .. w)
 * </pre>
 *
 * <p>The corrupted byte is {@code corrupt.byte} (0-based, in the BIO's data; a BIO shorter than
 * that passes untouched), set to {@code corrupt.value} (0 to 255) or, without one, inverted, so
 * that it always changes. A written BIO is corrupted in a copy: the page cache's pages stay as the
 * writer left them, as the kernel's dm-flakey clones the data since 6.5. Flushes pass in every
 * mode. In BIO counts, only BIOs with data are counted.
 */
final class FlakeyDevice extends StackedDevice {
  /** What happens to a BIO with data while the device is down. */
  enum Mode {
    ERROR,
    ERROR_READS,
    ERROR_WRITES,
    DROP_WRITES,
    CORRUPT_READS,
    CORRUPT_WRITES;

    static Mode parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "flakey mode is one of error, error-reads, error-writes, drop-writes, corrupt-reads,"
                + " corrupt-writes; not '"
                + text
                + "'",
            e);
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  static final Set<String> OPTIONS =
      Set.of("up.ms", "down.ms", "up.bios", "down.bios", "mode", "corrupt.byte", "corrupt.value");

  private final Mode mode;

  /** Whether the intervals count BIOs rather than milliseconds. */
  private final boolean countBios;

  private final long up;
  private final long down;
  private final long corruptByte;

  /** The corrupted byte's new value, or -1 to invert it. */
  private final int corruptValue;

  private final LongSupplier clockMillis;
  private final long startMillis;
  private final AtomicLong biosSeen = new AtomicLong();
  private final AtomicLong faulted = new AtomicLong();

  /**
   * @param clockMillis the time in ms for ms intervals (tests pass a fake one)
   */
  FlakeyDevice(
      String name, BlockDevice lower, Map<String, String> options, LongSupplier clockMillis) {
    super(name, lower);
    Options o = new Options("flakey device " + name, options, OPTIONS);
    boolean ms = o.has("up.ms") || o.has("down.ms");
    boolean bios = o.has("up.bios") || o.has("down.bios");
    if (ms == bios) {
      throw o.bad("give the intervals in ms (up.ms, down.ms) or in BIOs (up.bios, down.bios)");
    }
    this.countBios = bios;
    this.up = o.nonNegative(bios ? "up.bios" : "up.ms", 0);
    this.down = o.nonNegative(bios ? "down.bios" : "down.ms", 0);
    if (down == 0) {
      throw o.bad("down." + (bios ? "bios" : "ms") + " must be given and above 0");
    }
    this.mode = Mode.parse(o.string("mode", "error"));
    this.corruptByte = o.nonNegative("corrupt.byte", 0);
    long value = o.nonNegative("corrupt.value", -1);
    if (value > 255) {
      throw o.bad("corrupt.value is a byte, 0 to 255: " + value);
    }
    this.corruptValue = (int) value;
    this.clockMillis = clockMillis;
    this.startMillis = clockMillis.getAsLong();
  }

  FlakeyDevice(String name, BlockDevice lower, Map<String, String> options) {
    this(name, lower, options, () -> System.nanoTime() / 1_000_000);
  }

  /** Whether the device is down now (in ms) or for the next BIO (in BIO counts, counting it). */
  private boolean down() {
    long t = countBios ? biosSeen.getAndIncrement() : clockMillis.getAsLong() - startMillis;
    return t % (up + down) >= up;
  }

  /** Whether the device is down at this moment; in BIO counts, whether the next BIO would be. */
  boolean isDown() {
    long t = countBios ? biosSeen.get() : clockMillis.getAsLong() - startMillis;
    return t % (up + down) >= up;
  }

  /** BIOs failed, dropped or corrupted so far. */
  long faulted() {
    return faulted.get();
  }

  @Override
  protected void map(Bio bio) {
    if (!hasData(bio) || !down()) {
      lower.submit(bio);
      return;
    }
    boolean read = bio.op() == BioOp.READ;
    switch (mode) {
      case ERROR -> fail(bio);
      case ERROR_READS -> {
        if (read) {
          fail(bio);
        } else {
          lower.submit(bio);
        }
      }
      case ERROR_WRITES -> {
        if (read) {
          lower.submit(bio);
        } else {
          fail(bio);
        }
      }
      case DROP_WRITES -> {
        if (read) {
          lower.submit(bio);
        } else {
          faulted.incrementAndGet();
          bio.endio(BlockStatus.OK);
        }
      }
      case CORRUPT_READS -> {
        if (read && corruptByte < bio.size()) {
          lower.submit(
              cloneBio(
                  bio,
                  clone -> {
                    if (clone.status().isOk()) {
                      corrupt(bio);
                    }
                    bio.endio(clone.status());
                  }));
        } else {
          lower.submit(bio);
        }
      }
      case CORRUPT_WRITES -> {
        if (!read && corruptByte < bio.size()) {
          lower.submit(corruptedCopy(bio));
        } else {
          lower.submit(bio);
        }
      }
    }
  }

  private void fail(Bio bio) {
    faulted.incrementAndGet();
    bio.endio(BlockStatus.IOERR);
  }

  /** Corrupts byte {@link #corruptByte} of {@code bio}'s data, in place. */
  private void corrupt(Bio bio) {
    long skip = corruptByte;
    for (BioVec v : bio.segments()) {
      if (skip < v.length()) {
        ByteBuffer mem = v.folio().rawMemory();
        int at = v.offsetInFolio() + (int) skip;
        mem.put(at, corrupted(mem.get(at)));
        faulted.incrementAndGet();
        return;
      }
      skip -= v.length();
    }
  }

  private byte corrupted(byte b) {
    return corruptValue < 0 ? (byte) ~b : (byte) corruptValue;
  }

  /** A write of a copy of {@code bio}'s data with one byte corrupted, completing {@code bio}. */
  private Bio corruptedCopy(Bio bio) {
    var segments = bio.segments();
    Bio copy = new Bio(lower, bio.op(), bio.flags(), segments.size());
    copy.setSector(bio.sector());
    for (BioVec v : segments) {
      ByteBuffer page = ByteBuffer.allocate(Folio.PAGE_SIZE);
      page.put(v.offsetInFolio(), v.buffer(), 0, v.length());
      copy.addFolio(new Folio(null, 0, page), v.length(), v.offsetInFolio());
    }
    corrupt(copy);
    copy.setEndIo(c -> bio.endio(c.status()));
    return copy;
  }

  @Override
  public String toString() {
    String unit = countBios ? " BIOs" : " ms";
    return "flakey{"
        + name()
        + " on "
        + lower.name()
        + ", up "
        + up
        + unit
        + ", down "
        + down
        + unit
        + ", "
        + mode
        + "}";
  }
}
