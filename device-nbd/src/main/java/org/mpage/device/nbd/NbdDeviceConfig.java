package org.mpage.device.nbd;

import java.util.Map;
import java.util.Objects;

/**
 * How to reach an NBD export as a block device.
 *
 * @param name device name
 * @param uri where the export is
 * @param readOnly open for reading only: write BIOs fail; required for an export the server offers
 *     read-only
 * @param connectTimeoutMillis bound on connecting and on the handshake
 * @param ioTimeoutMillis a request without a reply for this long ends the connection (a hung
 *     server), which fails what is in flight and starts a reconnect
 * @param reconnectWaitMillis after a lost connection, how long new BIOs wait for a reconnect before
 *     they fail; later ones fail at once until the device is connected again
 * @param maxRequestBytes largest payload of one request, 0 for the server's maximum (tests use it
 *     to split BIOs)
 * @param structuredReplies ask for structured replies (reads arrive as data and hole chunks); a
 *     server that declines sends simple replies
 */
public record NbdDeviceConfig(
    String name,
    NbdUri uri,
    boolean readOnly,
    long connectTimeoutMillis,
    long ioTimeoutMillis,
    long reconnectWaitMillis,
    int maxRequestBytes,
    boolean structuredReplies) {
  public NbdDeviceConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uri, "uri");
    if (name.isBlank()) {
      throw new IllegalArgumentException("device name must not be blank");
    }
    if (connectTimeoutMillis <= 0 || ioTimeoutMillis <= 0 || reconnectWaitMillis < 0) {
      throw new IllegalArgumentException(
          "timeouts must be positive: connect "
              + connectTimeoutMillis
              + " ms, io "
              + ioTimeoutMillis
              + " ms, reconnect wait "
              + reconnectWaitMillis
              + " ms");
    }
    if (maxRequestBytes != 0 && (maxRequestBytes < 512 || maxRequestBytes % 512 != 0)) {
      throw new IllegalArgumentException(
          "max.request.bytes must be 0 or a multiple of 512: " + maxRequestBytes);
    }
  }

  /** Read-write, connect within 10 s, replies within 30 s, BIOs wait 10 s for a reconnect. */
  public static NbdDeviceConfig of(String name, String uri) {
    return new NbdDeviceConfig(name, NbdUri.parse(uri), false, 10_000, 30_000, 10_000, 0, true);
  }

  public NbdDeviceConfig withReadOnly(boolean ro) {
    return new NbdDeviceConfig(
        name,
        uri,
        ro,
        connectTimeoutMillis,
        ioTimeoutMillis,
        reconnectWaitMillis,
        maxRequestBytes,
        structuredReplies);
  }

  public NbdDeviceConfig withTimeouts(long connect, long io, long reconnectWait) {
    return new NbdDeviceConfig(
        name, uri, readOnly, connect, io, reconnectWait, maxRequestBytes, structuredReplies);
  }

  public NbdDeviceConfig withMaxRequestBytes(int bytes) {
    return new NbdDeviceConfig(
        name,
        uri,
        readOnly,
        connectTimeoutMillis,
        ioTimeoutMillis,
        reconnectWaitMillis,
        bytes,
        structuredReplies);
  }

  public NbdDeviceConfig withStructuredReplies(boolean structured) {
    return new NbdDeviceConfig(
        name,
        uri,
        readOnly,
        connectTimeoutMillis,
        ioTimeoutMillis,
        reconnectWaitMillis,
        maxRequestBytes,
        structured);
  }

  /**
   * From the string options of the OSGi configuration and {@code ServiceLoader} use: {@code uri}
   * (required), {@code read.only}, {@code connect.timeout.ms}, {@code io.timeout.ms}, {@code
   * reconnect.wait.ms}, {@code max.request.bytes}, {@code structured.replies} (true unless false).
   */
  public static NbdDeviceConfig fromOptions(String name, Map<String, String> options) {
    String uri = options.get("uri");
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("nbd device " + name + ": option 'uri' is required");
    }
    return new NbdDeviceConfig(
        name,
        NbdUri.parse(uri.trim()),
        bool(options, "read.only"),
        number(options, "connect.timeout.ms", 10_000),
        number(options, "io.timeout.ms", 30_000),
        number(options, "reconnect.wait.ms", 10_000),
        (int) number(options, "max.request.bytes", 0),
        !options.getOrDefault("structured.replies", "true").trim().equalsIgnoreCase("false"));
  }

  private static boolean bool(Map<String, String> options, String key) {
    String v = options.getOrDefault(key, "false").trim();
    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("option " + key + " must be true or false: " + v);
    }
    return Boolean.parseBoolean(v);
  }

  private static long number(Map<String, String> options, String key, long dflt) {
    String v = options.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + key + " must be a number: " + v, e);
    }
  }
}
