package org.mpage.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * {@code ./mpage container}: Felix with SCR, Configuration Admin, Gogo and fileinstall, the mpage
 * bundles, the device bundles in a watched {@code deploy/} folder (take one out and put it back to
 * swap it under a mounted filesystem), and a RAM disk {@code ram0} holding a fresh ext2 with a
 * README, mounted. Commands are read from standard input: with a prompt on a terminal, silently
 * from a script otherwise, until end of input or {@code exit}.
 */
public final class Container {
  private static final String USAGE =
      "usage: mpage container [--deploy DIR] [--no-default-disk] [--webconsole PORT] [--verbose]";

  static final String README =
      """
      This is ram0, a RAM disk holding an ext2 filesystem made by mpage.
      Try: mpage:ls ram0 /    mpage:devices    mpage:mounts    mpage:slots
      Take a device bundle out of the deploy folder and put it back to swap it.
      """;

  /**
   * java.util.logging's root logger: SPI Fly logs each provider it registers there at INFO, noise
   * unless asked for. Kept in a field so that the level set on it stays.
   */
  private static final java.util.logging.Logger JUL_ROOT = java.util.logging.Logger.getLogger("");

  private final Path home;
  private final Path deploy;
  private final boolean defaultDisk;
  private final int webConsolePort;
  private final PrintStream out;
  private final PrintStream err;

  /** A container; {@code webConsolePort} 0 for none. */
  Container(
      Path home,
      Path deploy,
      boolean defaultDisk,
      int webConsolePort,
      PrintStream out,
      PrintStream err) {
    this.home = home;
    this.deploy = deploy;
    this.defaultDisk = defaultDisk;
    this.webConsolePort = webConsolePort;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    Path home = null;
    Path deploy = null;
    boolean defaultDisk = true;
    boolean verbose = false;
    int webConsolePort = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--home" -> home = Path.of(value(args, ++i));
        case "--deploy" -> deploy = Path.of(value(args, ++i));
        case "--no-default-disk" -> defaultDisk = false;
        case "--verbose" -> verbose = true;
        case "--webconsole" -> webConsolePort = port(value(args, ++i));
        case "-h", "--help" -> {
          System.out.println(USAGE);
          System.exit(0);
        }
        default -> usage("unknown option " + args[i]);
      }
    }
    if (home == null) {
      home = defaultHome();
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
    JUL_ROOT.setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
    Container c =
        new Container(
            home,
            deploy != null ? deploy : home.resolve("deploy"),
            defaultDisk,
            webConsolePort,
            System.out,
            System.err);
    int code;
    try {
      code = c.run();
    } catch (Exception e) {
      System.err.println("mpage: container: " + message(e));
      if (verbose) {
        e.printStackTrace();
      }
      code = 1;
    }
    System.exit(code);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int port(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage("--webconsole needs a port number (1-65535): " + value);
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("mpage: " + problem);
    System.err.println(USAGE);
    System.exit(2);
  }

  /** The runtime directory the build made next to this jar ({@code target/runtime}). */
  private static Path defaultHome() {
    try {
      Path jar =
          Path.of(Container.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar.getParent().resolve("runtime");
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  int run() throws Exception {
    Path bundles = home.resolve("bundles");
    if (!Files.isDirectory(bundles)) {
      throw new IOException(bundles + ": no bundles directory (build with mvn package first)");
    }
    Files.createDirectories(deploy);
    Path storage = Files.createTempDirectory("mpage-felix");
    Framework framework = newFramework(storage);
    Thread hook = new Thread(() -> stop(framework), "mpage-container-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      framework.init();
      List<Bundle> installed = install(framework.getBundleContext(), bundles);
      if (webConsolePort != 0) {
        Path console = home.resolve("webconsole");
        if (!Files.isDirectory(console)) {
          throw new IOException(
              console + ": no Web Console bundles (build with mvn package first)");
        }
        installed.addAll(install(framework.getBundleContext(), console));
      }
      framework.start();
      startAll(installed);
      try (GogoSession session =
          GogoSession.open(framework.getBundleContext(), System.in, out, err, 30)) {
        if (defaultDisk) {
          makeDefaultDisk(session);
        }
        banner(installed.size());
        return repl(session);
      }
    } finally {
      stop(framework);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      deleteTree(storage);
    }
  }

  private Framework newFramework(Path storage) {
    Map<String, String> props = new HashMap<>();
    props.put("org.osgi.framework.storage", storage.toString());
    props.put("org.osgi.framework.storage.clean", "onFirstInit");
    props.put("felix.fileinstall.dir", deploy.toAbsolutePath().toString());
    props.put("felix.fileinstall.poll", "500");
    props.put("felix.fileinstall.noInitialDelay", "true");
    props.put("felix.fileinstall.log.level", "1");
    props.put("gogo.args", "--nointeractive");
    if (webConsolePort != 0) {
      // Felix HTTP on the loopback interface only; the console asks for its own login.
      props.put("org.osgi.service.http.port", Integer.toString(webConsolePort));
      props.put("org.apache.felix.http.host", "127.0.0.1");
    }
    FrameworkFactory factory =
        ServiceLoader.load(FrameworkFactory.class)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
    return factory.newFramework(props);
  }

  /** Installs every bundle; SPI Fly and ASM first, so that slf4j's lookups are woven. */
  private static List<Bundle> install(BundleContext context, Path dir)
      throws IOException, BundleException {
    List<Path> jars;
    try (Stream<Path> s = Files.list(dir)) {
      jars =
          s.filter(p -> p.toString().endsWith(".jar"))
              .sorted(Comparator.comparing((Path p) -> !isWeaver(p)).thenComparing(Path::toString))
              .toList();
    }
    List<Bundle> bundles = new ArrayList<>();
    for (Path jar : jars) {
      bundles.add(context.installBundle(jar.toUri().toString()));
    }
    return bundles;
  }

  private static boolean isWeaver(Path jar) {
    String name = jar.getFileName().toString();
    return name.startsWith("asm") || name.contains("spifly");
  }

  private void startAll(List<Bundle> bundles) {
    for (Bundle b : bundles) {
      if (b.getHeaders().get("Fragment-Host") != null) {
        continue;
      }
      try {
        b.start();
      } catch (BundleException e) {
        err.println(
            "mpage: container: " + b.getSymbolicName() + " did not start: " + e.getMessage());
      }
    }
  }

  private void makeDefaultDisk(GogoSession session) throws Exception {
    Path readme = Files.createTempFile("mpage-readme", ".txt");
    try {
      Files.writeString(readme, README, StandardCharsets.UTF_8);
      session.execute("mpage:ramdisk ram0 64M");
      session.execute("mpage:mkfs ext2 ram0");
      session.execute("mpage:mount ext2 ram0");
      session.execute("mpage:put '" + readme + "' ram0 /README");
    } catch (Exception e) {
      throw new IOException("making the default RAM disk ram0: " + message(e), e);
    } finally {
      Files.deleteIfExists(readme);
    }
  }

  private void banner(int bundles) {
    err.println(
        "mpage container: Felix with "
            + bundles
            + " bundles; "
            + (defaultDisk ? "ram0 (64M RAM disk, ext2, /README) mounted; " : "")
            + "fileinstall watches "
            + deploy.toAbsolutePath());
    if (webConsolePort != 0) {
      err.println(
          "mpage container: Web Console at http://127.0.0.1:"
              + webConsolePort
              + "/system/console/mpage (user admin, password admin)");
    }
    err.println(
        "commands: mpage:devices mpage:mounts mpage:slots mpage:ls mpage:cat ... lb help;"
            + " exit or end of input stops");
  }

  /** Reads command lines until end of input or {@code exit}; 1 if any command failed. */
  private int repl(GogoSession session) throws IOException {
    boolean interactive = stdinIsTerminal();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int status = 0;
    while (true) {
      if (interactive) {
        out.print("mpage> ");
        out.flush();
      }
      String line = in.readLine();
      if (line == null) {
        break;
      }
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.equals("exit") || line.equals("quit")) {
        break;
      }
      try {
        Object result = session.execute(line);
        if (result != null) {
          out.println(session.format(result));
        }
      } catch (Exception e) {
        err.println("mpage: " + line + ": " + message(e));
        status = 1;
      }
      out.flush();
    }
    return status;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /**
   * Stops the mount table's bundle first, so that its mounts are synced and unmounted while their
   * devices are still there (the framework would otherwise stop the device bundles first, which
   * looks like a swap, and wait out the swap timeout), then the framework.
   */
  private void stop(Framework framework) {
    try {
      if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
        for (Bundle b : framework.getBundleContext().getBundles()) {
          if ("org.mpage.vfs".equals(b.getSymbolicName())) {
            b.stop();
          }
        }
        framework.stop();
        framework.waitForStop(60_000);
      }
    } catch (BundleException | InterruptedException e) {
      err.println("mpage: container: stopping the framework: " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind is not worth failing the exit for
    }
  }

  /**
   * Whether standard input is a terminal (Linux: /proc/self/fd/0 names a tty), so that the prompt
   * is shown only to a person. {@code System.console()} is no test of that on newer JDKs.
   */
  private static boolean stdinIsTerminal() {
    try {
      String target =
          java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/0")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (java.io.IOException | RuntimeException e) {
      return false; // no /proc: treat input as a script, which only drops the prompt
    }
  }
}
