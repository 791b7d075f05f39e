import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * karaf/verify.sh's list of what Karaf would fetch from the internet: {@code java
 * karaf/FeatureBundles.java KARAF_HOME FEATURE...} prints, as {@code group:artifact:version[:type[:
 * classifier]]}, the bundles and configuration files of the named features and the features they
 * need that are missing from KARAF_HOME/system, so that the script can copy them there and run
 * Karaf offline. The features come from the descriptors in system/; a conditional counts when its
 * conditions are among the features reached or the boot features
 * (etc/org.apache.karaf.features.cfg), as they would be installed in that Karaf. A feature that is
 * only reached through a requirement (Karaf's {@code webconsole} needs an {@code osgi.http}
 * implementation) must be named.
 */
public final class FeatureBundles {
  public static void main(String[] args) throws Exception {
    Path karaf = Path.of(args[0]);
    Path system = karaf.resolve("system");
    Map<String, Element> features = new HashMap<>();
    try (Stream<Path> files = Files.walk(system)) {
      for (Path f : files.filter(p -> p.toString().endsWith("-features.xml")).toList()) {
        Element root =
            DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(f.toFile())
                .getDocumentElement();
        for (Element feature : children(root, "feature")) {
          features.putIfAbsent(feature.getAttribute("name"), feature);
        }
      }
    }
    Set<String> reached = new LinkedHashSet<>(bootFeatures(karaf));
    reached.addAll(List.of(args).subList(1, args.length));
    // Closure over the features' dependencies, again whenever a conditional becomes true.
    Set<String> bundles = new TreeSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      Deque<String> todo = new ArrayDeque<>(reached);
      while (!todo.isEmpty()) {
        Element feature = features.get(todo.pop());
        if (feature == null) {
          continue;
        }
        List<Element> parts = new ArrayList<>(List.of(feature));
        for (Element c : children(feature, "conditional")) {
          if (children(c, "condition").stream().allMatch(x -> reached.contains(text(x)))) {
            parts.add(c);
          }
        }
        for (Element part : parts) {
          for (Element dep : children(part, "feature")) {
            if (reached.add(text(dep))) {
              todo.push(text(dep));
              grew = true;
            }
          }
          for (String tag : List.of("bundle", "configfile")) {
            for (Element b : children(part, tag)) {
              if (text(b).contains("mvn:")) {
                bundles.add(text(b));
              }
            }
          }
        }
      }
    }
    for (String url : bundles) {
      // [wrap:]mvn:group/artifact/version[/type[/classifier]][$instructions]
      String[] gav = url.substring(url.indexOf("mvn:") + 4).split("\\$")[0].split("/");
      String type = gav.length > 3 ? gav[3] : "jar";
      String classifier = gav.length > 4 ? gav[4] : "";
      Path file =
          system
              .resolve(gav[0].replace('.', '/'))
              .resolve(gav[1])
              .resolve(gav[2])
              .resolve(
                  gav[1]
                      + "-"
                      + gav[2]
                      + (classifier.isEmpty() ? "" : "-" + classifier)
                      + "."
                      + type);
      if (!Files.exists(file)) {
        System.out.println(
            String.join(":", gav[0], gav[1], gav[2], type)
                + (classifier.isEmpty() ? "" : ":" + classifier));
      }
    }
  }

  /** The names in featuresBoot, without their versions. */
  private static List<String> bootFeatures(Path karaf) throws IOException {
    String cfg = Files.readString(karaf.resolve("etc/org.apache.karaf.features.cfg"));
    String boot =
        cfg.replace("\\\n", " ")
            .lines()
            .filter(l -> l.startsWith("featuresBoot"))
            .findFirst()
            .orElse("=");
    List<String> names = new ArrayList<>();
    for (String f : boot.substring(boot.indexOf('=') + 1).split(",")) {
      String name = f.trim().split("/")[0];
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> list = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        list.add(e);
      }
    }
    return list;
  }

  private static String text(Element e) {
    return e.getTextContent().trim();
  }
}
