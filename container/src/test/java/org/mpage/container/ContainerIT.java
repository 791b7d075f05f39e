package org.mpage.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * {@code mpage-container.jar} (what {@code ./mpage container} runs) as a user meets it: a scripted
 * session on standard input, and a live session in which the file device bundle is taken out of the
 * deploy folder and put back under a mounted ext2.
 */
class ContainerIT {
  private static final Path JAR = Path.of(System.getProperty("mpage.container.jar"));

  @TempDir Path work;

  private static Process start(Path stderr, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Test
  void scriptedSessionListsDevicesMountsAndTheReadme() throws Exception {
    Path err = work.resolve("err.txt");
    Process p = start(err);
    try (Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      in.write("mpage:devices\nmpage:mounts\nmpage:ls ram0 /\nmpage:cat ram0 /README\n");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the container stops at end of input");
    assertEquals(0, p.exitValue(), out + Files.readString(err));
    assertTrue(out.lines().anyMatch(l -> l.matches("ram0 +ACTIVE +1 +64M .*")), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("ram0 +ext2 +rw +[0-9a-f-]{36}")), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("- +\\d+ README")), out);
    assertTrue(out.contains(Container.README), out);
  }

  @Test
  void aFailingCommandIsReportedAndSetsTheExitStatus() throws Exception {
    Path err = work.resolve("err.txt");
    Process p = start(err, "--no-default-disk");
    try (Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      in.write("mpage:ls nodisk /\nmpage:mounts\n");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue());
    assertTrue(out.startsWith("DEVICE"), "later commands still run: " + out);
    assertTrue(
        Files.readString(err).contains("mpage: mpage:ls nodisk /: nodisk: not mounted"),
        Files.readString(err));
  }

  /** A live session: commands written one at a time, answers read as they come. */
  private static final class Session implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Session(Process process) {
      this.process = process;
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                  }
                } catch (IOException e) {
                  lines.add("<<" + e + ">>");
                }
              });
      reader.setDaemon(true);
      reader.start();
    }

    /** Sends a command and returns the output line that matches {@code answer}. */
    String ask(String command, Predicate<String> answer) throws Exception {
      in.write(command + "\n");
      in.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        String l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (l == null) {
          throw new AssertionError("no answer to " + command);
        }
        if (answer.test(l)) {
          return l;
        }
      }
    }

    /** Asks {@code mpage:slots} until {@code device} is in {@code state}. */
    void awaitSlot(String device, String state) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        String l = ask("mpage:slots", s -> s.startsWith(device + " "));
        if (l.trim().split(" +", -1)[1].equals(state)) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(device + " never reached " + state + ": " + l);
        }
        Thread.sleep(100);
      }
    }

    @Override
    public void close() throws Exception {
      in.write("exit\n");
      in.close();
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the container stops on exit");
    }
  }

  @Test
  void deviceBundleTakenOutOfDeployAndPutBackUnderAMount() throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    Files.writeString(src.resolve("hello"), "hello from mke2fs\n");
    Path image = work.resolve("disk.img");
    E2fs.mkfs(image, "16M", src);
    Path deploy = Files.createDirectories(work.resolve("deploy"));
    Path runtimeDeploy = JAR.getParent().resolve("runtime").resolve("deploy");
    for (String jar : List.of("mpage-device-file.jar", "mpage-device-ramdisk.jar")) {
      Files.copy(runtimeDeploy.resolve(jar), deploy.resolve(jar));
    }
    Path local = Files.writeString(work.resolve("after.txt"), "written after the swap\n");
    Path parked = work.resolve("mpage-device-file.jar");
    Path err = work.resolve("err.txt");

    Process p = start(err, "--no-default-disk", "--deploy", deploy.toString());
    try (Session s = new Session(p)) {
      s.ask("mpage:filedevice disk0 " + image, l -> l.startsWith("disk0: "));
      s.ask("mpage:mount ext2 disk0", l -> l.startsWith("disk0: ext2"));
      assertEquals(
          "hello from mke2fs", s.ask("mpage:cat disk0 /hello", l -> l.startsWith("hello")));

      Files.move(deploy.resolve("mpage-device-file.jar"), parked);
      s.awaitSlot("disk0", "SUSPENDED");
      Files.move(parked, deploy.resolve("mpage-device-file.jar"), StandardCopyOption.ATOMIC_MOVE);
      s.awaitSlot("disk0", "ACTIVE");

      s.ask("mpage:put " + local + " disk0 /after.txt", l -> l.startsWith("/after.txt: 23 bytes"));
      String slots = s.ask("mpage:slots", l -> l.startsWith("disk0 "));
      assertTrue(slots.matches("disk0 +ACTIVE +1 +1 +0"), slots);
      s.ask("mpage:umount disk0", l -> l.equals("disk0: unmounted"));
    }
    assertEquals(0, p.exitValue(), Files.readString(err));
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fn", image.toString()));
    assertTrue(E2fs.debugfs(image, false, "cat /after.txt").contains("written after the swap"));
  }
}
