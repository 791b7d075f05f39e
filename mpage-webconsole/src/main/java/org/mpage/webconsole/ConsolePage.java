package org.mpage.webconsole;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.mpage.api.fs.Mounts;

/**
 * What the page answers, below its label, without any servlet API: Felix Web Console 5 calls it
 * through Jakarta Servlet ({@link MpagePlugin}), Karaf's Web Console 4 through javax.servlet
 * ({@link MpagePluginJavax}); each adapter only copies a request in and a {@link Response} out.
 *
 * <pre>
 *   GET  mpage            the page (tables and I/O pictures, drawn by its script)
 *   GET  mpage/data.json  devices, slots, mounts and the last window's BIOs; switches capture on
 *   POST mpage            action=sync|suspend|resume|umount, device=NAME: the shell's safe
 *                         actions (with the header X-Mpage-Action, which a cross-site form
 *                         cannot send)
 * </pre>
 */
final class ConsolePage {
  /** The header an action's POST must carry (see {@link #post}). */
  static final String ACTION_HEADER = "X-Mpage-Action";

  /**
   * An answer: {@code body} in {@code contentType} (UTF-8, never cached), or, with a null body, an
   * error the servlet container words itself ({@code sendError}).
   */
  record Response(int status, String contentType, String body) {
    static Response error(int status) {
      return new Response(status, null, null);
    }

    boolean isError() {
      return body == null;
    }
  }

  private final Supplier<Mounts> mounts;
  private final IoRing ring;
  private final Capture capture;
  private final long windowNanos;
  private final LongSupplier clock;
  private final Function<String, Map<String, Long>> poolStatistics;

  /**
   * @param mounts the mount table now, null while there is none
   * @param clock the ring's clock ({@link System#nanoTime} but in tests)
   */
  ConsolePage(
      Supplier<Mounts> mounts, IoRing ring, Capture capture, long windowNanos, LongSupplier clock) {
    this(mounts, ring, capture, windowNanos, clock, pool -> Map.of());
  }

  /** As above, with each mount's page cache counters (the engine's {@code statistics(device)}). */
  ConsolePage(
      Supplier<Mounts> mounts,
      IoRing ring,
      Capture capture,
      long windowNanos,
      LongSupplier clock,
      Function<String, Map<String, Long>> poolStatistics) {
    this.mounts = mounts;
    this.ring = ring;
    this.capture = capture;
    this.windowNanos = windowNanos;
    this.clock = clock;
    this.poolStatistics = poolStatistics;
  }

  /**
   * Answers one request.
   *
   * @param pathInfo the path below the label, null for the label itself
   * @param actionHeader whether the request carries {@link #ACTION_HEADER}
   * @param parameter a request parameter by name, null when absent
   */
  Response handle(
      String method, String pathInfo, boolean actionHeader, Function<String, String> parameter)
      throws IOException {
    String path = pathInfo == null ? "" : pathInfo;
    return switch (method) {
      case "GET" -> {
        if (path.endsWith("/data.json")) {
          long now = clock.getAsLong();
          capture.touch(now);
          yield new Response(200, "application/json", data(now));
        }
        yield new Response(200, "text/html", page());
      }
      case "POST" -> post(actionHeader, parameter);
      default -> Response.error(405);
    };
  }

  /** The JSON of the page at {@code now}. */
  String data(long now) {
    return ConsoleData.json(
        mounts.get(), ring.since(now - windowNanos), now, windowNanos, poolStatistics);
  }

  private Response post(boolean actionHeader, Function<String, String> parameter) {
    // A form on another site can make the browser POST here with the console's cached login, but
    // it cannot add a header without a CORS preflight, which nothing here answers: the page's
    // script sends this header, a forged form does not.
    if (!actionHeader) {
      return new Response(
          403, "application/json", "{\"ok\":false,\"message\":\"no " + ACTION_HEADER + "\"}");
    }
    StringBuilder sb = new StringBuilder("{");
    int status;
    try {
      String done =
          ConsoleData.act(mounts.get(), parameter.apply("action"), parameter.apply("device"));
      status = 200;
      sb.append("\"ok\":true,");
      ConsoleData.string(sb, "message", done);
    } catch (IOException | IllegalArgumentException e) {
      status = e instanceof IOException ? 409 : 400;
      sb.append("\"ok\":false,");
      ConsoleData.string(sb, "message", String.valueOf(e.getMessage()));
    }
    return new Response(status, "application/json", sb.append('}').toString());
  }

  private static String page() throws IOException {
    try (InputStream in = ConsolePage.class.getResourceAsStream("page.html")) {
      if (in == null) {
        throw new IOException("page.html missing from the bundle");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
