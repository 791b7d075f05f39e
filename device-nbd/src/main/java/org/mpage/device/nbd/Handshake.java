package org.mpage.device.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The fixed newstyle handshake, client side: the server's greeting, the client flags, then {@code
 * NBD_OPT_GO} asking for the export's size and flags ({@code NBD_INFO_EXPORT}) and its block size
 * constraints ({@code NBD_INFO_BLOCK_SIZE}, which also tells the server that this client honours
 * them). A server that does not know {@code NBD_OPT_GO} gets {@code NBD_OPT_EXPORT_NAME} instead,
 * the older option that either enters transmission or drops the connection.
 *
 * <p>Every failure is an {@link IOException} whose message says what the server said: no such
 * export, TLS required, not an NBD server at all. Structured replies ({@code
 * NBD_OPT_STRUCTURED_REPLY}) are asked for first when wanted; a server that declines them sends
 * simple replies only.
 */
final class Handshake {
  /** Option replies longer than this are not from a sane server. */
  private static final int MAX_REPLY = 64 << 10;

  private final SocketChannel channel;
  private final String export;
  private final boolean wantStructured;
  private boolean structured;

  private Handshake(SocketChannel channel, String export, boolean wantStructured) {
    this.channel = channel;
    this.export = export;
    this.wantStructured = wantStructured;
  }

  /**
   * What the server told about the export.
   *
   * @param sizeBytes the export's size
   * @param flags its transmission flags ({@code Nbd.TF_*})
   * @param minBlock smallest unit of I/O (1 when not given)
   * @param preferredBlock preferred unit (4096 when not given)
   * @param maxPayload largest read or write payload
   * @param structured whether structured replies were negotiated
   */
  record Export(
      long sizeBytes,
      int flags,
      int minBlock,
      int preferredBlock,
      int maxPayload,
      boolean structured) {
    boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  /** Runs the handshake on a connected channel; the channel is in transmission afterwards. */
  static Export negotiate(SocketChannel channel, String export, boolean structuredReplies)
      throws IOException {
    return new Handshake(channel, export, structuredReplies).run();
  }

  private Export run() throws IOException {
    ByteBuffer greeting = read(18, "the greeting");
    if (greeting.getLong() != Nbd.INIT_MAGIC) {
      throw new IOException("not an NBD server (no NBDMAGIC greeting)");
    }
    long second = greeting.getLong();
    if (second == Nbd.OLDSTYLE_MAGIC) {
      throw new IOException("the server speaks the oldstyle protocol, which has no export names");
    }
    if (second != Nbd.OPTS_MAGIC) {
      throw new IOException("not an NBD server (unknown magic 0x" + Long.toHexString(second) + ")");
    }
    int serverFlags = greeting.getShort() & 0xffff;
    boolean noZeroes = (serverFlags & Nbd.FLAG_NO_ZEROES) != 0;
    boolean fixed = (serverFlags & Nbd.FLAG_FIXED_NEWSTYLE) != 0;
    int clientFlags = (fixed ? Nbd.FLAG_FIXED_NEWSTYLE : 0) | (noZeroes ? Nbd.FLAG_NO_ZEROES : 0);
    write(ByteBuffer.allocate(4).putInt(0, clientFlags));
    if (fixed && wantStructured) {
      structured = structuredReplies();
    }
    if (fixed) {
      Export e = go();
      if (e != null) {
        return e;
      }
    }
    return exportName(noZeroes);
  }

  /** {@code NBD_OPT_STRUCTURED_REPLY}: whether the server agreed; any refusal means no. */
  private boolean structuredReplies() throws IOException {
    sendOption(Nbd.OPT_STRUCTURED_REPLY, ByteBuffer.allocate(0));
    while (true) {
      ByteBuffer h = read(20, "an option reply");
      if (h.getLong() != Nbd.REP_MAGIC || h.getInt() != Nbd.OPT_STRUCTURED_REPLY) {
        throw new IOException("bad option reply from the server to NBD_OPT_STRUCTURED_REPLY");
      }
      int type = h.getInt();
      int length = h.getInt();
      if (length < 0 || length > MAX_REPLY) {
        throw new IOException("option reply of " + (length & 0xffffffffL) + " bytes");
      }
      read(length, "an option reply");
      if (type == Nbd.REP_ACK) {
        return true;
      }
      if (type == Nbd.REP_ERR_TLS_REQD) {
        // Such a server refuses every option but STARTTLS: say so now.
        throw new IOException("export '" + export + "': " + Nbd.replyName(type));
      }
      if ((type & Nbd.REP_FLAG_ERROR) != 0) {
        return false;
      }
    }
  }

  /** {@code NBD_OPT_GO}; null if the server does not support it. */
  private Export go() throws IOException {
    byte[] name = export.getBytes(StandardCharsets.UTF_8);
    ByteBuffer data = ByteBuffer.allocate(4 + name.length + 2 + 2);
    data.putInt(name.length).put(name).putShort((short) 1).putShort((short) Nbd.INFO_BLOCK_SIZE);
    sendOption(Nbd.OPT_GO, data.flip());
    long size = -1;
    int flags = 0;
    int min = 1;
    int preferred = 4096;
    int max = Nbd.DEFAULT_MAX_PAYLOAD;
    while (true) {
      ByteBuffer h = read(20, "an option reply");
      if (h.getLong() != Nbd.REP_MAGIC) {
        throw new IOException("bad option reply from the server (wrong magic)");
      }
      int option = h.getInt();
      int type = h.getInt();
      int length = h.getInt();
      if (option != Nbd.OPT_GO) {
        throw new IOException("the server answered option " + option + " to NBD_OPT_GO");
      }
      if (length < 0 || length > MAX_REPLY) {
        throw new IOException("option reply of " + (length & 0xffffffffL) + " bytes");
      }
      ByteBuffer body = read(length, "an option reply");
      if (type == Nbd.REP_ACK) {
        if (size < 0) {
          throw new IOException("the server did not say the export's size");
        }
        return new Export(size, flags, min, preferred, max, structured);
      }
      if (type == Nbd.REP_INFO && length >= 2) {
        int info = body.getShort() & 0xffff;
        if (info == Nbd.INFO_EXPORT && length >= 12) {
          size = body.getLong();
          flags = body.getShort() & 0xffff;
        } else if (info == Nbd.INFO_BLOCK_SIZE && length >= 14) {
          min = body.getInt();
          preferred = body.getInt();
          max = body.getInt();
          if (min < 1 || preferred < min || max < preferred || Integer.bitCount(min) != 1) {
            throw new IOException(
                "unusable block sizes from the server: min "
                    + min
                    + ", preferred "
                    + preferred
                    + ", max "
                    + max);
          }
        }
        continue; // other information (name, description) is not needed
      }
      if (type == Nbd.REP_ERR_UNSUP) {
        return null;
      }
      if ((type & Nbd.REP_FLAG_ERROR) != 0) {
        String text = StandardCharsets.UTF_8.decode(body.rewind()).toString().trim();
        String what =
            type == Nbd.REP_ERR_UNKNOWN
                ? "no such export '" + export + "'"
                : "export '" + export + "': " + Nbd.replyName(type);
        throw new IOException(text.isEmpty() ? what : what + " (server: " + text + ")");
      }
      // Any other reply (NBD_REP_SERVER, a future one) carries nothing this client needs.
    }
  }

  /** {@code NBD_OPT_EXPORT_NAME}: the server enters transmission or closes the connection. */
  private Export exportName(boolean noZeroes) throws IOException {
    byte[] name = export.getBytes(StandardCharsets.UTF_8);
    sendOption(Nbd.OPT_EXPORT_NAME, ByteBuffer.wrap(name));
    ByteBuffer reply;
    try {
      reply = read(10 + (noZeroes ? 0 : 124), "the export's size");
    } catch (EOFException e) {
      throw new IOException("no such export '" + export + "' (the server closed the connection)");
    }
    long size = reply.getLong();
    int flags = reply.getShort() & 0xffff;
    return new Export(size, flags, 1, 4096, Nbd.DEFAULT_MAX_PAYLOAD, structured);
  }

  private void sendOption(int option, ByteBuffer data) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(16);
    h.putLong(Nbd.OPTS_MAGIC).putInt(option).putInt(data.remaining()).flip();
    write(h, data);
  }

  private void write(ByteBuffer... buffers) throws IOException {
    long left = 0;
    for (ByteBuffer b : buffers) {
      left += b.remaining();
    }
    while (left > 0) {
      left -= channel.write(buffers);
    }
  }

  private ByteBuffer read(int n, String what) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        throw new EOFException("the server closed the connection while sending " + what);
      }
    }
    return b.flip();
  }
}
