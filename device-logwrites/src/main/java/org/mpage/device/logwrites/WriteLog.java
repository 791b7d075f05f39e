package org.mpage.device.logwrites;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioFlag;
import org.mpage.api.block.BioOp;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.block.BlockIOException;
import org.mpage.api.page.Folio;

/**
 * What a {@link LogWritesDevice} recorded: the writes in completion order, each with its data and
 * flags, and the marks (flush, FUA and preflush completions, and marks set by hand) between them;
 * dm-log-writes' log. Immutable: {@link LogWritesDevice#log()} takes a snapshot.
 *
 * <p>Replaying mark {@code k} gives the device as it would be if power failed right after that mark
 * completed. What a cache flush guarantees is what {@link Replay#DURABLE} replays: the writes that
 * had completed when the flush was <em>issued</em> (a write completing while the flush runs may or
 * may not be durable), plus every FUA write completed before the mark. {@link Replay#COMPLETED}
 * replays every write completed before the mark instead, as dm-log-writes' replay-log does.
 */
public final class WriteLog {
  private static final long MAGIC = 0x6d706167654c5731L; // "mpageLW1"

  /** Which writes a replay applies. */
  public enum Replay {
    /** Only what the device guaranteed at the mark: a cache that lost everything else. */
    DURABLE,
    /** Every write completed before the mark: a cache that lost nothing. */
    COMPLETED
  }

  /** What made a mark. */
  public enum MarkKind {
    /** A {@link BioOp#FLUSH} BIO completed. */
    FLUSH,
    /** A write with {@link BioFlag#PREFLUSH} completed (its flush came first). */
    PREFLUSH,
    /** A write with {@link BioFlag#FUA} completed (durable on completion). */
    FUA,
    /** {@link LogWritesDevice#mark(String)}: a label, no durability of its own. */
    USER
  }

  /** One logged write: where, what and with which flags. */
  public static final class Write {
    private final int index;
    private final long sector;
    private final byte[] data;
    private final Set<BioFlag> flags;

    Write(int index, long sector, byte[] data, Set<BioFlag> flags) {
      this.index = index;
      this.sector = sector;
      this.data = data;
      this.flags = Collections.unmodifiableSet(flags.isEmpty() ? Set.of() : EnumSet.copyOf(flags));
    }

    /** Its place among the writes, from 0. */
    public int index() {
      return index;
    }

    /** First 512-byte sector. */
    public long sector() {
      return sector;
    }

    /** The bytes written, a multiple of 512; read-only. */
    public ByteBuffer data() {
      return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** Bytes written. */
    public int length() {
      return data.length;
    }

    byte[] bytes() {
      return data;
    }

    /** The BIO's flags. */
    public Set<BioFlag> flags() {
      return flags;
    }

    public boolean fua() {
      return flags.contains(BioFlag.FUA);
    }

    @Override
    public String toString() {
      return "Write#" + index + flags + "@" + sector + ":" + data.length;
    }
  }

  /**
   * One mark.
   *
   * @param number its place among the marks, from 0
   * @param kind what made it
   * @param writesBefore writes logged before it (completed before it)
   * @param durablePrefix the first {@code durablePrefix} writes are durable at this mark (those
   *     completed before the latest flush finished so far was issued); never decreases
   * @param label a {@link MarkKind#USER} mark's label, else empty
   */
  public record Mark(
      int number, MarkKind kind, int writesBefore, int durablePrefix, String label) {}

  private final List<Write> writes;
  private final List<Mark> marks;

  WriteLog(List<Write> writes, List<Mark> marks) {
    this.writes = List.copyOf(writes);
    this.marks = List.copyOf(marks);
  }

  public List<Write> writes() {
    return writes;
  }

  public List<Mark> marks() {
    return marks;
  }

  /** Flush, preflush and FUA marks: the points where the device promised something. */
  public List<Mark> durabilityMarks() {
    List<Mark> out = new ArrayList<>();
    for (Mark m : marks) {
      if (m.kind() != MarkKind.USER) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * The writes a replay of mark {@code k} applies, in log order: the durable prefix, then (for
   * {@link Replay#DURABLE} only the FUA ones of) the writes completed after it and before the mark.
   */
  public List<Write> writesAt(int k, Replay replay) {
    Mark m = marks.get(k);
    List<Write> out = new ArrayList<>(writes.subList(0, m.durablePrefix()));
    out.addAll(extras(m, replay));
    return out;
  }

  /** The writes past the durable prefix that a replay of {@code m} applies. */
  List<Write> extras(Mark m, Replay replay) {
    List<Write> out = new ArrayList<>();
    for (Write w : writes.subList(m.durablePrefix(), m.writesBefore())) {
      if (replay == Replay.COMPLETED || w.fua()) {
        out.add(w);
      }
    }
    return out;
  }

  /** Applies the writes of mark {@code k} to an image file (which holds the device's start). */
  public void replay(int k, Replay replay, Path image) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      for (Write w : writesAt(k, replay)) {
        apply(ch, w);
      }
    }
  }

  /** Applies the writes of mark {@code k} to a device (a RAM disk holding the device's start). */
  public void replay(int k, Replay replay, BlockDevice device) throws IOException {
    for (Write w : writesAt(k, replay)) {
      apply(device, w);
    }
  }

  /**
   * An incremental replayer for checking many points in log order: it keeps {@code base} at a
   * durable prefix and copies it out with the extras of each point.
   */
  public Replayer replayer(Path base) throws IOException {
    return new Replayer(base);
  }

  /** See {@link #replayer(Path)}. Points must come in increasing order of their prefix. */
  public final class Replayer implements AutoCloseable {
    private final Path base;
    private final FileChannel channel;
    private int applied;

    private Replayer(Path base) throws IOException {
      this.base = base;
      this.channel = FileChannel.open(base, StandardOpenOption.WRITE);
    }

    /** Writes into the base so far. */
    public int applied() {
      return applied;
    }

    private void advance(int prefix) throws IOException {
      if (prefix < applied) {
        throw new IllegalStateException("replay went back from " + applied + " to " + prefix);
      }
      for (; applied < prefix; applied++) {
        apply(channel, writes.get(applied));
      }
    }

    /** {@code out} becomes the device at mark {@code k}. */
    public void mark(int k, Replay replay, Path out) throws IOException {
      Mark m = marks.get(k);
      prefix(m.durablePrefix(), extras(m, replay), out);
    }

    /**
     * {@code out} becomes the device after the first {@code n} writes and nothing else: a crash on
     * a disk without a volatile cache, after the n-th write completed.
     */
    public void writes(int n, Path out) throws IOException {
      prefix(n, List.of(), out);
    }

    private void prefix(int n, List<Write> extras, Path out) throws IOException {
      advance(n);
      Files.copy(base, out, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE)) {
        for (Write w : extras) {
          apply(ch, w);
        }
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private static void apply(FileChannel ch, Write w) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(w.bytes());
    long pos = w.sector() * BlockDevice.SECTOR_SIZE;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  private static void apply(BlockDevice dev, Write w) throws IOException {
    byte[] data = w.bytes();
    for (int off = 0; off < data.length; ) {
      int vecs =
          Math.min(Bio.MAX_VECS, (data.length - off + Folio.PAGE_SIZE - 1) / Folio.PAGE_SIZE);
      Bio bio = new Bio(dev, BioOp.WRITE, Set.of(), vecs);
      bio.setSector(w.sector() + off / BlockDevice.SECTOR_SIZE);
      int start = off;
      for (int i = 0; i < vecs && off < data.length; i++) {
        int len = Math.min(Folio.PAGE_SIZE, data.length - off);
        ByteBuffer page = ByteBuffer.allocate(Folio.PAGE_SIZE);
        page.put(data, off, len);
        bio.addFolio(new Folio(null, 0, page), len, 0);
        off += len;
      }
      CountDownLatch done = new CountDownLatch(1);
      bio.setEndIo(b -> done.countDown());
      dev.submit(bio);
      try {
        done.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted replaying " + w, e);
      }
      if (!bio.status().isOk()) {
        throw new BlockIOException(
            dev.name(), BioOp.WRITE, w.sector() + start / BlockDevice.SECTOR_SIZE, bio.status());
      }
    }
  }

  // ---- the log file ----

  /** Saves the log: writes and marks interleaved in log order. */
  public void save(Path file) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeLong(MAGIC);
      int w = 0;
      for (Mark m : marks) {
        for (; w < m.writesBefore(); w++) {
          writeEntry(out, writes.get(w));
        }
        out.writeByte(2);
        out.writeUTF(m.kind().name());
        out.writeInt(m.durablePrefix());
        out.writeUTF(m.label());
      }
      for (; w < writes.size(); w++) {
        writeEntry(out, writes.get(w));
      }
      out.writeByte(0);
    }
  }

  private static void writeEntry(DataOutputStream out, Write w) throws IOException {
    out.writeByte(1);
    out.writeLong(w.sector());
    out.writeByte(w.flags().size());
    for (BioFlag f : w.flags()) {
      out.writeUTF(f.name());
    }
    out.writeInt(w.length());
    out.write(w.bytes());
  }

  /** Reads a log saved by {@link #save(Path)}. */
  public static WriteLog load(Path file) throws IOException {
    List<Write> writes = new ArrayList<>();
    List<Mark> marks = new ArrayList<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readLong() != MAGIC) {
        throw new IOException(file + ": not a log-writes log");
      }
      for (int type = in.readByte(); type != 0; type = in.readByte()) {
        if (type == 1) {
          long sector = in.readLong();
          Set<BioFlag> flags = EnumSet.noneOf(BioFlag.class);
          for (int n = in.readByte(); n > 0; n--) {
            flags.add(BioFlag.valueOf(in.readUTF()));
          }
          byte[] data = new byte[in.readInt()];
          in.readFully(data);
          writes.add(new Write(writes.size(), sector, data, flags));
        } else if (type == 2) {
          MarkKind kind = MarkKind.valueOf(in.readUTF());
          int prefix = in.readInt();
          marks.add(new Mark(marks.size(), kind, writes.size(), prefix, in.readUTF()));
        } else {
          throw new IOException(file + ": bad entry type " + type);
        }
      }
    }
    return new WriteLog(writes, marks);
  }
}
