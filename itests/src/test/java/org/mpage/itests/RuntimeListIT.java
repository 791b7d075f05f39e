package org.mpage.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The runtime is listed once, in the parent pom (maven-dependency-plugin's runtime-bundles and
 * device-bundles executions): the container and these tests copy exactly that list. The Karaf
 * feature is written by hand, as Karaf brings its own SCR, Configuration Admin and logging: its
 * project bundles must be the list's project bundles, which this test checks.
 */
class RuntimeListIT {
  private static final Pattern FEATURE_BUNDLE =
      Pattern.compile("<bundle>mvn:org\\.mpage/([^/<]+)/\\$\\{project\\.version}</bundle>");

  @Test
  void theKarafFeatureInstallsTheProjectBundlesOfTheRuntimeList() throws IOException {
    List<String> runtime = new ArrayList<>();
    for (String b : Framework.bundles(System.getProperty("mpage.bundles"))) {
      if (b.startsWith("mpage-")) {
        runtime.add(b);
      }
    }
    assertTrue(runtime.contains("mpage-core"), "project bundles copied: " + runtime);

    String feature = Files.readString(Path.of(System.getProperty("mpage.karaf.feature")));
    List<String> karaf = new ArrayList<>();
    Matcher m = FEATURE_BUNDLE.matcher(feature);
    while (m.find()) {
      karaf.add(m.group(1));
    }
    karaf.sort(null);
    assertEquals(
        runtime,
        karaf,
        "the Karaf feature (karaf/src/main/feature/feature.xml) and the runtime list of the parent"
            + " pom name different project bundles");
  }
}
