package org.mpage.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/**
 * The framework every test runs in: every bundle the build copied to {@code mpage.bundles} (the
 * runtime list of the parent pom: Felix's SCR, Configuration Admin, Gogo's runtime, SPI Fly for
 * slf4j, and the project's bundles), so that the tests run what the container and Karaf run.
 */
final class Framework {
  private Framework() {}

  static Option[] options() {
    String dir = System.getProperty("mpage.bundles");
    if (dir == null) {
      throw new IllegalStateException("system property mpage.bundles is not set (run through mvn)");
    }
    List<Option> o = new ArrayList<>();
    o.add(systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"));
    o.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
    for (String name : bundles(dir)) {
      String url = new File(dir, name + ".jar").toURI().toString();
      // SPI Fly first, so that slf4j's ServiceLoader lookup is woven before the logger loads; then
      // slf4j, then the framework services, then the project's bundles.
      if (name.startsWith("asm") || name.contains("spifly")) {
        o.add(bundle(url).startLevel(1));
      } else if (name.startsWith("slf4j-")) {
        o.add(bundle(url).startLevel(2));
      } else if (!name.startsWith("mpage-")) {
        o.add(bundle(url).startLevel(3));
      } else {
        o.add(bundle(url));
      }
    }
    o.add(junitBundles());
    return o.toArray(new Option[0]);
  }

  /** The jars in {@code dir}, without ".jar", sorted. */
  static List<String> bundles(String dir) {
    String[] names = new File(dir).list((d, n) -> n.endsWith(".jar"));
    if (names == null || names.length == 0) {
      throw new IllegalStateException("no bundles in " + dir);
    }
    List<String> out = new ArrayList<>();
    for (String n : names) {
      out.add(n.substring(0, n.length() - ".jar".length()));
    }
    out.sort(null);
    return out;
  }
}
