package org.mpage.webconsole;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mpage.api.block.BioListener;
import org.mpage.api.fs.Mounts;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The Web Console page {@code /system/console/mpage}: a servlet service with the console's {@code
 * felix.webconsole.label}, so that the console serves it, behind its own authentication, and
 * nothing else does. Requests below the label:
 *
 * <pre>
 *   GET  mpage            the page (tables and I/O pictures, drawn by its script)
 *   GET  mpage/data.json  devices, slots, mounts and the last window's BIOs; switches capture on
 *   POST mpage            action=sync|umount, device=NAME: the shell's safe actions (with the
 *                         header X-Mpage-Action, which a cross-site form cannot send)
 * </pre>
 *
 * Configured through PID {@code org.mpage.webconsole}.
 */
@Component(
    service = Servlet.class,
    configurationPid = MpagePlugin.PID,
    property = {
      "felix.webconsole.label=mpage",
      "felix.webconsole.title=mpage",
      "felix.webconsole.category=Storage"
    })
@Designate(ocd = MpagePlugin.Config.class)
public final class MpagePlugin implements Servlet {
  static final String PID = "org.mpage.webconsole";

  /** The header an action's POST must carry (see {@link #post}). */
  static final String ACTION_HEADER = "X-Mpage-Action";

  /** The page's tunables. */
  @ObjectClassDefinition(name = "mpage Web Console page", description = "Live I/O picture")
  public @interface Config {
    @AttributeDefinition(name = "Ring size", description = "BIO events kept, all devices")
    int ring_size() default 65536;

    @AttributeDefinition(name = "Window", description = "Seconds of I/O the pictures show")
    int window_seconds() default 10;

    @AttributeDefinition(
        name = "Capture",
        description = "Seconds BIOs are captured after the page last asked for data")
    int capture_seconds() default 30;
  }

  private final IoRing ring;
  private final Capture capture;
  private final long windowNanos;
  private final ScheduledExecutorService expiry;
  private final AtomicReference<Mounts> mounts = new AtomicReference<>();
  private volatile ServletConfig servletConfig;

  @Activate
  public MpagePlugin(Config config, BundleContext context) {
    if (config.ring_size() <= 0 || config.window_seconds() <= 0 || config.capture_seconds() <= 0) {
      throw new IllegalArgumentException(
          "ring.size, window.seconds and capture.seconds must be positive");
    }
    this.ring = new IoRing(config.ring_size());
    this.windowNanos = TimeUnit.SECONDS.toNanos(config.window_seconds());
    this.capture =
        new Capture(
            ring,
            listener -> {
              ServiceRegistration<BioListener> r =
                  context.registerService(BioListener.class, listener, null);
              return r::unregister;
            },
            TimeUnit.SECONDS.toNanos(config.capture_seconds()));
    this.expiry =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "mpage-webconsole-capture");
              t.setDaemon(true);
              return t;
            });
    // expire() never throws, so the periodic task's future has nothing to report.
    var unused =
        expiry.scheduleWithFixedDelay(
            () -> capture.expire(System.nanoTime()), 1, 1, TimeUnit.SECONDS);
  }

  @Deactivate
  void deactivate() {
    expiry.shutdownNow();
    capture.close();
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void bindMounts(Mounts m) {
    mounts.set(m);
  }

  void unbindMounts(Mounts m) {
    mounts.compareAndSet(m, null);
  }

  @Override
  public void service(ServletRequest req, ServletResponse res)
      throws ServletException, IOException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    String path = request.getPathInfo() == null ? "" : request.getPathInfo();
    switch (request.getMethod()) {
      case "GET" -> {
        if (path.endsWith("/data.json")) {
          long now = System.nanoTime();
          capture.touch(now);
          send(response, 200, "application/json", data(now));
        } else {
          send(response, 200, "text/html", page());
        }
      }
      case "POST" -> post(request, response);
      default -> response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
    }
  }

  /** The JSON of the page at {@code now}. */
  String data(long now) {
    return ConsoleData.json(mounts.get(), ring.since(now - windowNanos), now, windowNanos);
  }

  private void post(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // A form on another site can make the browser POST here with the console's cached login, but
    // it cannot add a header without a CORS preflight, which nothing here answers: the page's
    // script sends this header, a forged form does not.
    if (request.getHeader(ACTION_HEADER) == null) {
      send(
          response,
          403,
          "application/json",
          "{\"ok\":false,\"message\":\"no " + ACTION_HEADER + "\"}");
      return;
    }
    StringBuilder sb = new StringBuilder("{");
    int status;
    try {
      String done =
          ConsoleData.act(
              mounts.get(), request.getParameter("action"), request.getParameter("device"));
      status = 200;
      sb.append("\"ok\":true,");
      ConsoleData.string(sb, "message", done);
    } catch (IOException | IllegalArgumentException e) {
      status = e instanceof IOException ? 409 : 400;
      sb.append("\"ok\":false,");
      ConsoleData.string(sb, "message", String.valueOf(e.getMessage()));
    }
    send(response, status, "application/json", sb.append('}').toString());
  }

  private static String page() throws IOException {
    try (InputStream in = MpagePlugin.class.getResourceAsStream("page.html")) {
      if (in == null) {
        throw new IOException("page.html missing from the bundle");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void send(HttpServletResponse response, int status, String type, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType(type);
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(body);
  }

  @Override
  public void init(ServletConfig config) {
    this.servletConfig = config;
  }

  @Override
  public ServletConfig getServletConfig() {
    return servletConfig;
  }

  @Override
  public String getServletInfo() {
    return "mpage: devices, slots, mounts and live I/O";
  }

  @Override
  public void destroy() {}
}
