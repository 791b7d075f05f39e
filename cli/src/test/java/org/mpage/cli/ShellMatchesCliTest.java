package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BlockDeviceProvider;
import org.mpage.api.fs.FileSystemType;
import org.mpage.api.fs.StorageEngine;
import org.mpage.api.fs.StorageEngineFactory;
import org.mpage.fs.ext2.E2fs;
import org.mpage.shell.MpageCommands;
import org.mpage.vfs.mount.MountTable;

/**
 * The Gogo shell and the command line are front-ends of one file-operations layer: on the same
 * mke2fs image, the shell's {@code ls -l}, {@code stat -l}, {@code cat} and {@code info} write
 * exactly the bytes {@code ./mpage} writes (names escaped as on a terminal), and a failing command
 * carries the command line's error text.
 */
class ShellMatchesCliTest {
  @TempDir static Path work;
  static Path image;

  /** Each shell command line and what the command line printed for it, in order. */
  static final Map<List<String>, byte[]> CLI = new LinkedHashMap<>();

  static String cliMissingError;

  static final List<List<String>> COMMANDS =
      List.of(
          List.of("ls", "-l", "/"),
          List.of("ls", "-l", "/dir"),
          List.of("ls", "-l", "/hello.txt"),
          List.of("stat", "/hello.txt"),
          List.of("stat", "/dir"),
          List.of("stat", "/dir/link"),
          List.of("stat", "/a\tb"),
          List.of("cat", "/hello.txt"),
          List.of("cat", "/dir/link"),
          List.of("cat", "/big.bin"),
          List.of("info"));

  @BeforeAll
  static void runTheCommandLine() throws Exception {
    Path tree = Files.createDirectory(work.resolve("tree"));
    byte[] big = new byte[(3 << 20) + 17];
    new java.util.Random(11).nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    Files.writeString(tree.resolve("hello.txt"), "hello, world\n");
    Files.writeString(tree.resolve("a\tb"), "tab\n");
    Files.createDirectories(tree.resolve("dir/sub"));
    Files.createSymbolicLink(tree.resolve("dir/link"), Path.of("../hello.txt"));
    image = E2fs.mkfs(work.resolve("same.img"), "16M", tree, "-b", "1024");

    // The command line first: it locks the image while a command runs.
    for (List<String> c : COMMANDS) {
      List<String> argv = new java.util.ArrayList<>(c);
      argv.add(c.get(0).equals("ls") ? 2 : 1, image.toString());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status =
          new Cli(out, new PrintStream(err, true, StandardCharsets.UTF_8), false)
              .stdoutIsTerminal(true)
              .run(argv.toArray(String[]::new));
      assertEquals(0, status, argv + ": " + err.toString(StandardCharsets.UTF_8));
      CLI.put(c, out.toByteArray());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    new Cli(new ByteArrayOutputStream(), new PrintStream(err, true, StandardCharsets.UTF_8), false)
        .run(new String[] {"cat", image.toString(), "/no\tsuch"});
    cliMissingError = err.toString(StandardCharsets.UTF_8);
  }

  /** The shell on a mount table, the image mounted read-only on a file device, as the CLI reads. */
  private static final class Shell implements AutoCloseable {
    final StorageEngine engine =
        ServiceLoader.load(StorageEngineFactory.class).findFirst().orElseThrow().create(Map.of());
    final MountTable table = new MountTable(engine, 2000);
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final MpageCommands sh =
        new MpageCommands(
            table, engine, null, () -> new PrintStream(out, true, StandardCharsets.UTF_8));

    Shell() throws IOException {
      for (FileSystemType t : ServiceLoader.load(FileSystemType.class)) {
        table.typeAdded(t);
      }
      BlockDeviceProvider file =
          ServiceLoader.load(BlockDeviceProvider.class).stream()
              .map(ServiceLoader.Provider::get)
              .filter(p -> p.type().equals("file"))
              .findFirst()
              .orElseThrow();
      table.deviceAdded(
          file.open("disk0", Map.of("path", image.toString(), "read.only", "true")), 0);
      sh.mount("ext2", "disk0", "ro");
      out.reset();
    }

    /** Runs one command as Gogo would call it and returns what it wrote. */
    byte[] run(List<String> c) throws IOException {
      out.reset();
      switch (c.get(0)) {
        case "ls" -> sh.ls(c.get(1), "disk0", c.get(2));
        case "stat" -> sh.stat("-l", "disk0", c.get(1));
        case "cat" -> sh.cat("disk0", c.get(1));
        case "info" -> sh.info("disk0");
        default -> throw new IllegalArgumentException(c.toString());
      }
      return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
      table.close();
      engine.close();
    }
  }

  @Test
  void theShellWritesWhatTheCommandLineWrites() throws Exception {
    try (Shell shell = new Shell()) {
      for (Map.Entry<List<String>, byte[]> e : CLI.entrySet()) {
        byte[] cli = e.getValue();
        byte[] sh = shell.run(e.getKey());
        if (e.getKey().get(0).equals("cat")) {
          assertArrayEquals(cli, sh, e.getKey().toString());
        } else {
          assertEquals(
              new String(cli, StandardCharsets.UTF_8),
              new String(sh, StandardCharsets.UTF_8),
              e.getKey().toString());
        }
      }
    }
  }

  @Test
  void aFailingShellCommandCarriesTheCommandLinesErrorText() throws Exception {
    try (Shell shell = new Shell()) {
      IOException e = assertThrows(IOException.class, () -> shell.sh.cat("disk0", "/no\tsuch"));
      assertEquals("mpage: /no\\tsuch: no such file or directory\n", cliMissingError);
      assertEquals(cliMissingError, "mpage: " + e.getMessage() + "\n");
    }
  }
}
