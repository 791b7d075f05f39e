package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * The bundles used as plain JPMS modules, with no OSGi framework: a small program on the module
 * path with only the project's jars and SLF4J mounts an mke2fs image through ServiceLoader and
 * reads a file. The OSGi, DS and Configuration Admin modules must not be needed at run time. Runs
 * after {@code package}, when the jars carry their generated module-info and {@code target/lib}
 * holds the runtime dependencies.
 */
class JpmsModulePathIT {
  @TempDir Path tmp;

  @Test
  void mountAndReadOnTheModulePathWithoutOsgi() throws Exception {
    byte[] data = new byte[200_000];
    new Random(13).nextBytes(data);
    Path tree = Files.createDirectories(tmp.resolve("tree/dir"));
    Files.write(tree.resolve("data.bin"), data);
    Path image = E2fs.mkfs(tmp.resolve("fs.img"), "8M", tmp.resolve("tree"));
    assertArrayEquals(data, readThroughModulePath(image, "/dir/data.bin"));
  }

  /** ext4's extent trees come from their own module, found by the ext2 module's ServiceLoader. */
  @Test
  void anExt4ImageReadsThroughTheExtentModuleOnTheModulePath() throws Exception {
    byte[] data = new byte[300_000];
    new Random(14).nextBytes(data);
    Path tree = Files.createDirectories(tmp.resolve("tree4/dir"));
    Files.write(tree.resolve("data.bin"), data);
    Path image = E2fs.mkfsExt4(tmp.resolve("fs4.img"), "16M", tmp.resolve("tree4"));
    assertArrayEquals(data, readThroughModulePath(image, "/dir/data.bin"));
  }

  private byte[] readThroughModulePath(Path image, String file) throws Exception {
    List<Path> modules = modulePath();
    Path launcher = compileLauncher(modules);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--module-path");
    cmd.add(join(modules) + File.pathSeparator + launcher);
    cmd.add("-m");
    cmd.add("org.mpage.jpmslaunch/org.mpage.jpmslaunch.ReadFile");
    cmd.add(image.toString());
    cmd.add(file);
    Path stderr = tmp.resolve("stderr.txt");
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    // The launcher reports a module it cannot find (FindException) on stdout.
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    assertEquals(
        0,
        p.exitValue(),
        "exit status; stdout:\n" + new String(out, StandardCharsets.UTF_8) + "\nstderr:\n" + err);
    return out;
  }

  /**
   * The project's module jars and SLF4J, as the package phase copied them; nothing from OSGi, nor
   * the FUSE front-end (a plain jar with jnr-fuse, which the module path here does not carry).
   */
  private static List<Path> modulePath() throws IOException {
    List<Path> jars = new ArrayList<>();
    try (Stream<Path> lib = Files.list(Path.of("target", "lib"))) {
      lib.filter(j -> j.getFileName().toString().matches("(mpage-(?!fuse)|slf4j-).*\\.jar"))
          .sorted()
          .forEach(j -> jars.add(j.toAbsolutePath()));
    }
    assertEquals(
        11,
        jars.size(),
        "api, core, four device modules, ext2, ext4 extents, fileops, slf4j api and simple: "
            + jars);
    for (Path j : jars) {
      assertFalse(j.getFileName().toString().contains("osgi"), j.toString());
    }
    return jars;
  }

  /** Compiles the launcher module kept as source in the test resources. */
  private Path compileLauncher(List<Path> modules) throws IOException, URISyntaxException {
    Path src =
        Path.of(getClass().getResource("/jpms-launcher/module-info.java").toURI()).getParent();
    Path out = Files.createDirectories(tmp.resolve("launcher"));
    List<String> args =
        new ArrayList<>(List.of("-d", out.toString(), "--module-path", join(modules)));
    try (Stream<Path> files = Files.walk(src)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])), "javac " + args);
    return out;
  }

  private static String join(List<Path> paths) {
    return String.join(File.pathSeparator, paths.stream().map(Path::toString).toList());
  }
}
