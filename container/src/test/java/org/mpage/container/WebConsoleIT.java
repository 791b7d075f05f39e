package org.mpage.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mpage container --webconsole PORT} as an operator meets it: the console on a loopback
 * port asks for a login and changes nothing without one; with the console's default login the mpage
 * page and its data list the RAM disk and its mount, a workload shows in the I/O picture's events,
 * and the sync button's request syncs. With Debian's {@code chromium} installed, a headless browser
 * loads the page, its script fills the tables, and the screenshot is kept in {@code
 * target/webconsole.png} (and README's {@code docs/webconsole.png} with {@code -Dmpage.docs.dir}).
 */
class WebConsoleIT {
  private static final Path JAR = Path.of(System.getProperty("mpage.container.jar"));
  private static final String LOGIN =
      "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));

  @TempDir Path work;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void theConsolePageListsDevicesAndMountsBehindTheLogin() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String page = "http://127.0.0.1:" + port + "/system/console/mpage";
    Path err = work.resolve("err.txt");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "--webconsole",
                Integer.toString(port))
            .redirectError(err.toFile())
            .redirectOutput(work.resolve("out.txt").toFile())
            .start();
    try (Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      String banner = "Web Console at " + page + " ";
      while (!Files.readString(err).contains(banner)
          || status(get(page + "/data.json", true)) != 200) {
        assertTrue(p.isAlive(), "the container stopped: " + Files.readString(err));
        assertTrue(
            System.nanoTime() < deadline, "no console within 90 s: " + Files.readString(err));
        Thread.sleep(200);
      }
      assertTrue(
          Files.readString(err).contains("Web Console at " + page + " "), Files.readString(err));

      // Without a login: 401 for the page, its data and its actions, and the mount stays.
      assertEquals(401, status(get(page, false)));
      assertEquals(401, status(get(page + "/data.json", false)));
      assertEquals(401, status(post(page, "action=umount&device=ram0", false)));
      String data = get(page + "/data.json", true).body();
      assertTrue(data.contains("\"mounts\":[{\"device\":\"ram0\",\"type\":\"ext2\""), data);

      // With the console's default login: the page (inside the console's frame) and the data.
      HttpResponse<String> html = get(page, true);
      assertEquals(200, html.statusCode());
      assertTrue(html.body().contains("id=\"mpage-devices\""), html.body());
      assertTrue(html.body().contains("Apache Felix Web Console") || html.body().contains("<html"));
      assertTrue(data.contains("{\"name\":\"ram0\",\"state\":\"ACTIVE\""), data);

      // A workload through the shell shows in ram0's events (capture is on: the page polled).
      Path big = work.resolve("big.bin");
      Files.write(big, new byte[3 << 20]);
      in.write("mpage:put " + big + " ram0 /big.bin\nmpage:sync ram0\n");
      in.flush();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int writes = 0;
      while (writes == 0 && System.nanoTime() < until) {
        Thread.sleep(200);
        writes = events(get(page + "/data.json", true).body(), 1);
      }
      assertTrue(writes > 0, "write BIOs of ram0 in the picture's data");

      // Not without the page's header (a form of another site cannot add it): 403.
      assertEquals(403, status(post(page, "action=umount&device=ram0", true, false)));
      String still = get(page + "/data.json", true).body();
      assertTrue(still.contains("\"mounts\":[{\"device\":\"ram0\""), still);
      HttpResponse<String> sync = post(page, "action=sync&device=ram0", true);
      assertEquals(200, sync.statusCode(), sync.body());
      assertEquals("{\"ok\":true,\"message\":\"ram0: synced\"}", sync.body());

      // Suspend and resume: held, the slot says so and a sync is refused rather than waiting.
      HttpResponse<String> suspend = post(page, "action=suspend&device=ram0", true);
      assertEquals("{\"ok\":true,\"message\":\"ram0: suspended\"}", suspend.body());
      String held = get(page + "/data.json", true).body();
      assertTrue(held.contains("{\"name\":\"ram0\",\"state\":\"HELD\""), held);
      HttpResponse<String> refused = post(page, "action=sync&device=ram0", true);
      assertEquals(409, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("ram0: suspended; resume it first"), refused.body());
      HttpResponse<String> resume = post(page, "action=resume&device=ram0", true);
      assertEquals("{\"ok\":true,\"message\":\"ram0: resumed\"}", resume.body());
      String active = get(page + "/data.json", true).body();
      assertTrue(active.contains("{\"name\":\"ram0\",\"state\":\"ACTIVE\""), active);

      // Reads too: mounted afresh (the page cache forgets ram0 at the unmount), the file read back.
      in.write(
          "mpage:umount ram0\nmpage:mount ext2 ram0\nmpage:get ram0 /big.bin "
              + work.resolve("back.bin")
              + "\n");
      in.flush();
      int reads = 0;
      while (reads == 0 && System.nanoTime() < until + TimeUnit.SECONDS.toNanos(30)) {
        Thread.sleep(200);
        reads = events(get(page + "/data.json", true).body(), 0);
      }
      assertTrue(reads > 0, "read BIOs of ram0 in the picture's data");
      // The read missed the freshly mounted page cache: the mount's own counter says so.
      String counted = get(page + "/data.json", true).body();
      assertTrue(
          Pattern.compile("\"device\":\"ram0\"[^}]*\"cacheMisses\":[1-9]").matcher(counted).find(),
          counted);

      Browser.screenshot(page, work);
      in.write("exit\n");
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the container stops at exit");
    assertEquals(0, p.exitValue(), Files.readString(err));
  }

  /** Events of a kind ({@code [ago, sector, sectors, 1 for writes, 0 for reads]}) of ram0. */
  private static int events(String json, int write) {
    int start = json.indexOf("{\"name\":\"ram0\"");
    int events = json.indexOf("\"events\":[", start);
    int end = json.indexOf("]}", events);
    Matcher m =
        Pattern.compile("\\[\\d+,\\d+,\\d+," + write + "\\]")
            .matcher(json.substring(events, end + 1));
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static int status(HttpResponse<String> r) {
    return r == null ? -1 : r.statusCode();
  }

  private HttpResponse<String> get(String url, boolean login) throws InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (login) {
      b.header("Authorization", LOGIN);
    }
    try {
      return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null; // not listening yet
    }
  }

  private HttpResponse<String> post(String url, String form, boolean login)
      throws IOException, InterruptedException {
    return post(url, form, login, true);
  }

  private HttpResponse<String> post(String url, String form, boolean login, boolean pageHeader)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded");
    if (login) {
      b.header("Authorization", LOGIN);
    }
    if (pageHeader) {
      b.header("X-Mpage-Action", "test");
    }
    return http.send(
        b.POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Headless Chromium, when Debian's {@code chromium} is installed. */
  static final class Browser {
    private Browser() {}

    static void screenshot(String page, Path work) throws IOException, InterruptedException {
      String chromium = which("chromium");
      if (chromium == null) {
        System.err.println("WebConsoleIT: no chromium on PATH, browser check skipped");
        return;
      }
      String url = page.replace("http://", "http://admin:admin@");
      Path png = work.resolve("webconsole.png");
      List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox"));
      cmd.addAll(
          List.of(
              "--disable-gpu",
              "--hide-scrollbars",
              "--window-size=1200,900",
              "--virtual-time-budget=5000",
              "--user-data-dir=" + work.resolve("chromium-profile"),
              "--screenshot=" + png,
              url));
      run(cmd, work.resolve("chromium-shot.txt"));
      assertTrue(Files.size(png) > 10_000, "a screenshot of the page");
      List<String> dump = new ArrayList<>(cmd);
      dump.remove("--screenshot=" + png);
      dump.add(dump.size() - 1, "--dump-dom");
      String dom = run(dump, work.resolve("chromium-dom.txt"));
      // The script ran: the tables hold ram0's rows and the picture an SVG for it.
      assertTrue(dom.contains("<td class=\"name\">ram0</td><td>ACTIVE</td>"), dom);
      assertTrue(dom.contains("<td class=\"name\">ext2</td>"), dom);
      assertTrue(dom.contains("data-device=\"ram0\""), dom);
      assertTrue(dom.contains("data-action=\"suspend\""), dom);
      // Kept in target/ (the test's folder); README's copy is refreshed only when asked:
      // mvn -pl container verify -Dit.test=WebConsoleIT -Dmpage.docs.dir=$PWD/docs
      String docsDir = System.getProperty("mpage.docs.dir");
      Files.copy(
          png,
          Path.of("target", "webconsole.png"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      if (docsDir != null) {
        Path docs = Path.of(docsDir);
        Files.copy(
            png, docs.resolve("webconsole.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }

    private static String run(List<String> cmd, Path log) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium within 60 s");
      assertEquals(0, p.exitValue(), Files.readString(log));
      return out;
    }

    private static String which(String name) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":", -1)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
      return null;
    }
  }
}
