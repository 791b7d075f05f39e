package org.mpage.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/**
 * The framework every test runs in: Felix with SCR, Configuration Admin, Gogo's runtime, SPI Fly
 * for slf4j, and the project's bundles, all from the jars the build copied to {@code
 * mpage.bundles}.
 */
final class Framework {
  private Framework() {}

  private static final List<String> RUNTIME =
      List.of(
          "org.osgi.util.function",
          "org.osgi.util.promise",
          "org.osgi.service.component",
          "org.apache.felix.scr",
          "org.apache.felix.configadmin",
          "org.apache.felix.gogo.runtime");

  private static final List<String> PROJECT =
      List.of(
          "mpage-api",
          "mpage-core",
          "mpage-vfs",
          "mpage-shell",
          "mpage-fs-ext2",
          "mpage-device-ramdisk",
          "mpage-device-file");

  static Option[] options() {
    String dir = System.getProperty("mpage.bundles");
    if (dir == null) {
      throw new IllegalStateException("system property mpage.bundles is not set (run through mvn)");
    }
    List<Option> o = new ArrayList<>();
    o.add(systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"));
    o.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
    // SPI Fly first, so that slf4j's ServiceLoader lookup is woven before the logger loads.
    for (String asm : List.of("asm", "asm-tree", "asm-analysis", "asm-commons", "asm-util")) {
      o.add(bundle(url(dir, asm)).startLevel(1));
    }
    o.add(bundle(url(dir, "org.apache.aries.spifly.dynamic.bundle")).startLevel(1));
    o.add(bundle(url(dir, "slf4j-api")).startLevel(2));
    o.add(bundle(url(dir, "slf4j-simple")).startLevel(2));
    for (String b : RUNTIME) {
      o.add(bundle(url(dir, b)).startLevel(3));
    }
    for (String b : PROJECT) {
      o.add(bundle(url(dir, b)));
    }
    o.add(junitBundles());
    return o.toArray(new Option[0]);
  }

  private static String url(String dir, String name) {
    File f = new File(dir, name + ".jar");
    if (!f.isFile()) {
      throw new IllegalStateException("missing bundle " + f);
    }
    return f.toURI().toString();
  }
}
