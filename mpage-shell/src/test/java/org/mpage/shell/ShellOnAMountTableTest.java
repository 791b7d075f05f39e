package org.mpage.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.core.MpageEngine;
import org.mpage.device.ramdisk.RamDisk;
import org.mpage.fs.ext2.Ext2FileSystemType;
import org.mpage.vfs.mount.MountTable;

/**
 * The shell commands without OSGi, on the mount table with ext2 on a RAM disk, fed by hand the way
 * the OSGi components feed them. (This test was Ext2MountTableTest's in fs-ext2, which cannot
 * depend on the shell now that the shell depends on mpage-fileops, whose tests run on ext2.)
 */
class ShellOnAMountTableTest {
  @TempDir Path work;
  private MpageEngine engine;
  private MountTable table;

  @BeforeEach
  void setUp() {
    engine = new MpageEngine(MpageEngine.Config.defaults().withCacheLimit(4096, 1024));
    table = new MountTable(engine, 2000);
    table.typeAdded(new Ext2FileSystemType());
  }

  @AfterEach
  void tearDown() {
    table.close();
    engine.close();
  }

  @Test
  void shellCommandsOnARamDisk() throws Exception {
    RamDisk ram = new RamDisk("ram0", 16 << 20);
    table.deviceAdded(ram, 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MpageCommands sh =
        new MpageCommands(
            table, engine, null, () -> new PrintStream(out, true, StandardCharsets.UTF_8));
    java.util.function.Supplier<String> said =
        () -> {
          String text = out.toString(StandardCharsets.UTF_8);
          out.reset();
          return text;
        };
    sh.mkfs("ext2", "ram0", 1024);
    assertEquals("ram0: new ext2, 1024-byte blocks\n", said.get());
    sh.mount("ext2", "ram0");
    assertTrue(said.get().startsWith("ram0: ext2 "));
    Path local = Files.writeString(work.resolve("local.txt"), "put through the shell\n");
    sh.put(local.toString(), "ram0", "/doc.txt");
    assertEquals("/doc.txt: 22 bytes\n", said.get());
    sh.ls("ram0");
    String ls = said.get();
    assertTrue(ls.lines().anyMatch(l -> l.matches("- +22 doc\\.txt")), ls);
    sh.cat("ram0", "/doc.txt");
    assertEquals("put through the shell\n", said.get());
    sh.stat("ram0", "/doc.txt");
    assertTrue(said.get().contains("size:   22"));
    sh.stat();
    String io = said.get();
    assertTrue(io.lines().anyMatch(l -> l.matches("bios\\.write +[1-9]\\d*")), io);
    assertTrue(io.lines().anyMatch(l -> l.matches("get_block\\.calls +\\d+")), io);
    assertTrue(io.lines().anyMatch(l -> l.startsWith("device ram0 ")), io);
    sh.stat("ram0");
    assertTrue(said.get().contains("sectors written: "), "per-device counters");
    sh.mounts();
    assertTrue(said.get().lines().anyMatch(l -> l.startsWith("ram0") && l.contains("ext2")));
    sh.devices();
    assertTrue(said.get().lines().anyMatch(l -> l.startsWith("ram0") && l.contains("ACTIVE")));
    sh.slots();
    String slots = said.get();
    assertTrue(slots.lines().anyMatch(l -> l.matches("ram0 +ACTIVE +1 +0 +0")), slots);
    sh.suspend("ram0");
    assertEquals("ram0: suspended (mpage:resume ram0 lets its I/O go on)\n", said.get());
    sh.slots();
    slots = said.get();
    assertTrue(slots.lines().anyMatch(l -> l.matches("ram0 +HELD +1 +0 +0")), slots);
    assertEquals(
        "ram0: suspended; resume it first",
        assertThrows(IOException.class, () -> sh.sync("ram0")).getMessage());
    assertEquals(
        "ram0: suspended; resume it first",
        assertThrows(IOException.class, () -> sh.umount("ram0")).getMessage());
    sh.resume("ram0");
    assertEquals("ram0: resumed\n", said.get());
    assertEquals(
        "ram0: not suspended",
        assertThrows(IOException.class, () -> sh.resume("ram0")).getMessage());
    sh.umount("ram0");
    assertEquals("ram0: unmounted\n", said.get());
    IOException notMounted = assertThrows(IOException.class, () -> sh.ls("ram0"));
    assertEquals("ram0: not mounted", notMounted.getMessage());
    Map<String, Long> stats = engine.statistics();
    assertTrue(stats.get("bios.write") > 0, stats.toString());
  }

  @Test
  void migrateMovesAMountedDeviceToAnotherOne() throws Exception {
    table.deviceAdded(new RamDisk("ram0", 16 << 20), 0);
    table.deviceAdded(new RamDisk("ram1", 32 << 20), 0);
    table.deviceAdded(new RamDisk("small", 8 << 20), 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MpageCommands sh =
        new MpageCommands(
            table, engine, null, () -> new PrintStream(out, true, StandardCharsets.UTF_8));
    sh.mkfs("ext2", "ram0", 1024);
    sh.mount("ext2", "ram0");
    Path local = Files.writeString(work.resolve("local.txt"), "moved while mounted\n");
    sh.put(local.toString(), "ram0", "/doc.txt");
    out.reset();

    IOException small = assertThrows(IOException.class, () -> sh.migrate("ram0", "small"));
    assertEquals("small: 16384 sectors, smaller than ram0's 32768", small.getMessage());
    sh.migrate("ram0", "ram1");
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    out.reset();
    assertTrue(lines.get(0).startsWith("ram0 -> ram1: "), lines.toString());
    assertTrue(
        lines
            .get(lines.size() - 1)
            .matches("ram0: now on ram1 \\(16\\.\\dM copied in \\d passe?s?\\)"),
        lines.toString());
    sh.cat("ram0", "/doc.txt");
    assertEquals("moved while mounted\n", out.toString(StandardCharsets.UTF_8));
    out.reset();
    sh.migrations();
    String listing = out.toString(StandardCharsets.UTF_8);
    out.reset();
    assertTrue(listing.lines().anyMatch(l -> l.matches("ram0 +ram1 +DONE +.*")), listing);
    IOException inUse = assertThrows(IOException.class, () -> sh.migrate("-b", "ram0", "ram1"));
    assertEquals("ram1: in use as the backend of ram0", inUse.getMessage());

    sh.umount("ram0");
    sh.mount("ext2", "ram1"); // the filesystem lives on ram1 now
    out.reset();
    sh.cat("ram1", "/doc.txt");
    assertEquals("moved while mounted\n", out.toString(StandardCharsets.UTF_8));
    IOException none = assertThrows(IOException.class, () -> sh.migrate("--cancel", "ram1"));
    assertEquals("ram1: no migration", none.getMessage());
  }
}
