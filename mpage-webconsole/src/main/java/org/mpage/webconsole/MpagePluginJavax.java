package org.mpage.webconsole;

import java.io.IOException;
import javax.servlet.Servlet;
import javax.servlet.ServletConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The same page on javax.servlet, for the Web Console 4 that Karaf 4.4 ships (Pax Web, Jetty 9):
 * {@link MpagePlugin}'s twin, line for line but the package of its servlet types, which is all the
 * two consoles differ in for a plugin. Enabled by {@link PluginEnabler} where only javax.servlet is
 * wired.
 */
@Component(name = PluginEnabler.JAVAX, service = Servlet.class, enabled = false)
@PluginProperties
public final class MpagePluginJavax implements Servlet {
  private final ConsolePage page;
  private volatile ServletConfig servletConfig;

  @Activate
  public MpagePluginJavax(@Reference ConsoleComponent console) {
    this.page = console.page();
  }

  @Override
  public void service(ServletRequest req, ServletResponse res)
      throws ServletException, IOException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    ConsolePage.Response answer =
        page.handle(
            request.getMethod(),
            request.getPathInfo(),
            request.getHeader(ConsolePage.ACTION_HEADER) != null,
            request::getParameter);
    if (answer.isError()) {
      response.sendError(answer.status());
      return;
    }
    response.setStatus(answer.status());
    response.setContentType(answer.contentType());
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-store");
    response.getWriter().write(answer.body());
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
