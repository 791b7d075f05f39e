package org.mpage.device.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A scripted NBD server for what real servers do not show on demand: no {@code NBD_OPT_GO}, error
 * replies to it, replies in reverse order. One client; its memory is {@code size} bytes whose byte
 * at {@code i} is {@code (byte) i}.
 */
final class FakeServer implements AutoCloseable {
  /** What the server does with {@code NBD_OPT_GO}. */
  enum Go {
    /** Answers {@code NBD_REP_ERR_UNSUP}: the client must fall back to EXPORT_NAME. */
    UNSUPPORTED,
    /** Answers {@code NBD_REP_ERR_TLS_REQD}. */
    TLS_REQUIRED
  }

  private final ServerSocketChannel listener;
  private final Go go;
  private final int batch;
  final CompletableFuture<List<Integer>> commands = new CompletableFuture<>();
  private final Thread thread;

  /**
   * @param batch how many requests to collect before answering them, last first
   */
  FakeServer(Go go, int batch) throws IOException {
    this.go = go;
    this.batch = batch;
    listener = ServerSocketChannel.open();
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-nbd");
    thread.setDaemon(true);
    thread.start();
  }

  String uri() throws IOException {
    return "nbd://127.0.0.1:"
        + ((InetSocketAddress) listener.getLocalAddress()).getPort()
        + "/fake";
  }

  private static final long SIZE = 1 << 20;

  private void serve() {
    List<Integer> seen = new ArrayList<>();
    try (SocketChannel ch = listener.accept()) {
      write(
          ch,
          ByteBuffer.allocate(18)
              .putLong(Nbd.INIT_MAGIC)
              .putLong(Nbd.OPTS_MAGIC)
              .putShort((short) 3)
              .flip());
      read(ch, 4);
      while (true) {
        ByteBuffer h = read(ch, 16);
        h.getLong();
        int option = h.getInt();
        read(ch, h.getInt());
        if (option == Nbd.OPT_EXPORT_NAME) {
          write(
              ch,
              ByteBuffer.allocate(10)
                  .putLong(SIZE)
                  .putShort((short) (Nbd.TF_HAS_FLAGS | Nbd.TF_SEND_FLUSH))
                  .flip());
          break;
        }
        int type = go == Go.TLS_REQUIRED ? Nbd.REP_ERR_TLS_REQD : Nbd.REP_ERR_UNSUP;
        write(
            ch,
            ByteBuffer.allocate(20)
                .putLong(Nbd.REP_MAGIC)
                .putInt(option)
                .putInt(type)
                .putInt(0)
                .flip());
      }
      List<ByteBuffer> pending = new ArrayList<>();
      while (true) {
        ByteBuffer r = read(ch, Nbd.REQUEST_HEADER);
        r.getInt();
        r.getShort();
        int type = r.getShort();
        long handle = r.getLong();
        long offset = r.getLong();
        int length = r.getInt();
        seen.add(type);
        if (type == Nbd.CMD_DISC) {
          break;
        }
        if (type == Nbd.CMD_WRITE) {
          read(ch, length);
        }
        int data = type == Nbd.CMD_READ ? length : 0;
        ByteBuffer reply =
            ByteBuffer.allocate(16 + data).putInt(Nbd.SIMPLE_REPLY_MAGIC).putInt(0).putLong(handle);
        for (int i = 0; i < data; i++) {
          reply.put((byte) (offset + i));
        }
        pending.add(reply.flip());
        if (pending.size() == batch) {
          for (int i = pending.size() - 1; i >= 0; i--) {
            write(ch, pending.get(i));
          }
          pending.clear();
        }
      }
      commands.complete(seen);
    } catch (IOException e) {
      commands.complete(seen);
    }
  }

  private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new EOFException();
      }
    }
    return b.flip();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
