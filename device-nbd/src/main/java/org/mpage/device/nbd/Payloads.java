package org.mpage.device.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mpage.api.block.Bio;
import org.mpage.api.block.BioVec;

/** A BIO's memory as the buffers of NBD requests: views of the folios, never copies. */
final class Payloads {
  private Payloads() {}

  /** The BIO's segments as buffers, clipped to its size (it may have been truncated). */
  static ByteBuffer[] of(Bio bio) {
    int n = bio.vecCount();
    ByteBuffer[] buffers = new ByteBuffer[n];
    int left = bio.size();
    int used = 0;
    for (int i = 0; i < n && left > 0; i++) {
      BioVec v = bio.vec(i);
      ByteBuffer b = v.buffer();
      if (b.remaining() > left) {
        b.limit(left);
      }
      left -= b.remaining();
      buffers[used++] = b;
    }
    return used == n ? buffers : Arrays.copyOf(buffers, used);
  }

  /** Cuts the buffers into runs of {@code chunk} bytes (the last may be shorter); views only. */
  static List<ByteBuffer[]> split(ByteBuffer[] buffers, int chunk) {
    List<ByteBuffer[]> out = new ArrayList<>();
    List<ByteBuffer> current = new ArrayList<>();
    int room = chunk;
    for (ByteBuffer whole : buffers) {
      ByteBuffer b = whole.slice();
      while (b.hasRemaining()) {
        int n = Math.min(room, b.remaining());
        current.add(b.slice(b.position(), n));
        b.position(b.position() + n);
        room -= n;
        if (room == 0) {
          out.add(current.toArray(ByteBuffer[]::new));
          current.clear();
          room = chunk;
        }
      }
    }
    if (!current.isEmpty()) {
      out.add(current.toArray(ByteBuffer[]::new));
    }
    return out;
  }

  /** Views of {@code n} bytes from {@code at} of a request's buffers (absolute, from 0). */
  static ByteBuffer[] slices(ByteBuffer[] buffers, int at, int n) {
    List<ByteBuffer> out = new ArrayList<>();
    int skip = at;
    int left = n;
    for (ByteBuffer b : buffers) {
      int size = b.limit();
      if (skip >= size) {
        skip -= size;
        continue;
      }
      int take = Math.min(size - skip, left);
      out.add(b.slice(skip, take));
      skip = 0;
      left -= take;
      if (left == 0) {
        break;
      }
    }
    return out.toArray(ByteBuffer[]::new);
  }
}
