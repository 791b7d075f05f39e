package org.mpage.webconsole;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enables the one servlet adapter whose API this bundle is wired to. The bundle imports both {@code
 * jakarta.servlet} (Felix Web Console 5) and {@code javax.servlet} (Karaf's Web Console 4)
 * optionally, and both adapters are declared disabled: SCR would otherwise load an adapter whose
 * interface cannot be loaded and log the failure. Jakarta wins where both are wired (Felix HTTP's
 * API bundle exports both), as only Web Console 5 would find that adapter and 4 the other.
 */
@Component(immediate = true)
public final class PluginEnabler {
  /*
   * The adapters' component names, kept here as constants: naming the adapter classes instead
   * would load them, which fails for the one whose servlet API is missing.
   */
  static final String JAKARTA = "org.mpage.webconsole.MpagePlugin";
  static final String JAVAX = "org.mpage.webconsole.MpagePluginJavax";

  private static final Logger LOG = LoggerFactory.getLogger(PluginEnabler.class);

  private final ComponentContext context;
  private final String enabled;

  @Activate
  public PluginEnabler(ComponentContext context) {
    this.context = context;
    Bundle bundle = context.getBundleContext().getBundle();
    if (wired(bundle, "jakarta.servlet.http.HttpServletRequest")) {
      enabled = JAKARTA;
    } else if (wired(bundle, "javax.servlet.http.HttpServletRequest")) {
      enabled = JAVAX;
    } else {
      enabled = null;
      LOG.info("no servlet API wired to {}: no Web Console page", bundle.getSymbolicName());
      return;
    }
    context.enableComponent(enabled);
  }

  @Deactivate
  void deactivate() {
    if (enabled != null) {
      context.disableComponent(enabled);
    }
  }

  /** Whether {@code className} loads through the bundle: its optional import is wired. */
  private static boolean wired(Bundle bundle, String className) {
    try {
      bundle.loadClass(className);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
