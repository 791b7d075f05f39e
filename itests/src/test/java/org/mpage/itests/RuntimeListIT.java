package org.mpage.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The runtime is listed once, in the parent pom (maven-dependency-plugin's runtime-bundles and
 * device-bundles executions): the container and these tests copy exactly that list. The Karaf
 * feature is written by hand, as Karaf brings its own SCR, Configuration Admin and logging: its
 * project bundles must be the list's project bundles, which this test checks. Only feature "mpage"
 * outside its conditionals counts: the Web Console page (its conditional and feature
 * "mpage-webconsole") is an optional extra in both, not in the list.
 */
class RuntimeListIT {
  private static final Pattern FEATURE_BUNDLE =
      Pattern.compile("mvn:org\\.mpage/([^/<]+)/\\$\\{project\\.version}");

  @Test
  void theKarafFeatureInstallsTheProjectBundlesOfTheRuntimeList() throws Exception {
    List<String> runtime = new ArrayList<>();
    for (String b : Framework.bundles(System.getProperty("mpage.bundles"))) {
      if (b.startsWith("mpage-")) {
        runtime.add(b);
      }
    }
    assertTrue(runtime.contains("mpage-core"), "project bundles copied: " + runtime);

    Element features =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of(System.getProperty("mpage.karaf.feature")).toFile())
            .getDocumentElement();
    List<String> karaf = new ArrayList<>();
    for (Node f = features.getFirstChild(); f != null; f = f.getNextSibling()) {
      if (f instanceof Element feature && feature.getAttribute("name").equals("mpage")) {
        // direct children only: a conditional's bundles come with another feature
        for (Node b = feature.getFirstChild(); b != null; b = b.getNextSibling()) {
          if (b instanceof Element bundle && bundle.getTagName().equals("bundle")) {
            Matcher m = FEATURE_BUNDLE.matcher(bundle.getTextContent().trim());
            if (m.matches()) {
              karaf.add(m.group(1));
            }
          }
        }
      }
    }
    karaf.sort(null);
    assertEquals(
        runtime,
        karaf,
        "the Karaf feature (karaf/src/main/feature/feature.xml) and the runtime list of the parent"
            + " pom name different project bundles");
  }
}
