package org.mpage.device.nbd;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an export is: {@code nbd://HOST[:PORT]/EXPORT} (TCP, port 10809 unless given) or {@code
 * nbd+unix:///EXPORT?socket=PATH} (a Unix domain socket), the forms of the NBD URI specification
 * that need no TLS. The export name is the path without its first slash (empty for qemu-nbd's
 * default export), percent-decoded.
 *
 * @param text the URI as given, for messages
 * @param export the export name
 * @param host the TCP host, or null for a Unix socket
 * @param port the TCP port
 * @param socket the Unix socket's path, or null for TCP
 */
public record NbdUri(String text, String export, String host, int port, Path socket) {
  /** The IANA port of NBD. */
  public static final int DEFAULT_PORT = 10809;

  public NbdUri {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(export, "export");
    if ((host == null) == (socket == null)) {
      throw new IllegalArgumentException(text + ": either a host or a socket");
    }
  }

  /** Whether {@code text} is meant as an NBD URI (its scheme is one of NBD's). */
  public static boolean isNbd(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    return t.startsWith("nbd://")
        || t.startsWith("nbd+unix://")
        || t.startsWith("nbds://")
        || t.startsWith("nbds+unix://");
  }

  /**
   * Parses an NBD URI.
   *
   * @throws IllegalArgumentException naming what is wrong: the scheme (TLS ones are refused), a
   *     missing host or socket, a bad port
   */
  public static NbdUri parse(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(text + ": not a URI: " + e.getReason(), e);
    }
    String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
    String path = uri.getPath() == null ? "" : uri.getPath();
    String export = path.startsWith("/") ? path.substring(1) : path;
    switch (scheme) {
      case "nbd" -> {
        if (uri.getHost() == null) {
          throw new IllegalArgumentException(text + ": no host (nbd://HOST[:PORT]/EXPORT)");
        }
        if (uri.getQuery() != null) {
          throw new IllegalArgumentException(text + ": nbd:// takes no query");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        if (port == 0 || port > 65535) {
          throw new IllegalArgumentException(text + ": port " + port + " is not in 1..65535");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        return new NbdUri(text, export, host, port, null);
      }
      case "nbd+unix" -> {
        if (uri.getRawAuthority() != null) {
          throw new IllegalArgumentException(
              text + ": a Unix socket URI has no host (nbd+unix:///EXPORT?socket=PATH)");
        }
        String socket = null;
        if (uri.getQuery() != null) {
          for (String kv : uri.getQuery().split("&", -1)) {
            if (kv.startsWith("socket=")) {
              socket = kv.substring("socket=".length());
            } else {
              throw new IllegalArgumentException(text + ": unknown query parameter " + kv);
            }
          }
        }
        if (socket == null || socket.isEmpty()) {
          throw new IllegalArgumentException(text + ": no socket (nbd+unix:///EXPORT?socket=PATH)");
        }
        return new NbdUri(text, export, null, 0, Path.of(socket));
      }
      case "nbds", "nbds+unix" ->
          throw new IllegalArgumentException(text + ": NBD over TLS is not supported");
      default ->
          throw new IllegalArgumentException(
              text
                  + ": not an NBD URI (nbd://HOST[:PORT]/EXPORT or nbd+unix:///EXPORT?socket=PATH)");
    }
  }

  /** Whether the export is reached through a Unix domain socket. */
  public boolean isUnix() {
    return socket != null;
  }

  /** The address to connect to; a TCP host is resolved now. */
  SocketAddress address() {
    return isUnix() ? UnixDomainSocketAddress.of(socket) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return text;
  }
}
