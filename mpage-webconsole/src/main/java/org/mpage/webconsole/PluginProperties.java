package org.mpage.webconsole;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The service properties by which a Felix Web Console, 4 or 5, takes a servlet for a plugin page
 * ({@code felix.webconsole.label} and its kin): one annotation, so that both adapters register the
 * page under the same label, title and category.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
@interface PluginProperties {
  String PREFIX_ = "felix.webconsole.";

  String label() default "mpage";

  String title() default "mpage";

  String category() default "Storage";
}
