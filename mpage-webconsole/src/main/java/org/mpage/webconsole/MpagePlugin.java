package org.mpage.webconsole;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Web Console page {@code /system/console/mpage} on Jakarta Servlet (Felix Web Console 5): a
 * servlet service with the console's {@code felix.webconsole.label}, so that the console serves it,
 * behind its own authentication, and nothing else does. It only translates: {@link ConsolePage}
 * answers. Enabled by {@link PluginEnabler} where Jakarta Servlet is wired.
 */
@Component(name = PluginEnabler.JAKARTA, service = Servlet.class, enabled = false)
@PluginProperties
public final class MpagePlugin implements Servlet {
  private final ConsolePage page;
  private volatile ServletConfig servletConfig;

  @Activate
  public MpagePlugin(@Reference ConsoleComponent console) {
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
