package org.mpage.device.nbd;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.device.file.ImageFiles;
import org.mpage.fs.ext2.E2fs;
import org.mpage.fs.ext2.Ext2FileSystemType;
import org.mpage.fs.ext2.Ext2MigrationTest;
import org.mpage.vfs.mount.MountTable;

/**
 * Live migration of a mounted ext2 to and from an NBD device served by qemu-nbd on a Unix socket
 * (issue 18), under {@link Ext2MigrationTest}'s load (two writers fsyncing, two readers checking
 * every acknowledged byte) and checks (source untouched after the switch, target e2fsck-clean and
 * holding every file).
 */
class NbdMigrationTest {
  private static final long SEED = Long.getLong("migrate.seed", 20261129L);

  @TempDir Path work;
  private MpageEngine engine;
  private MountTable table;

  @BeforeEach
  void setUp() {
    engine = new MpageEngine(MpageEngine.Config.defaults().withCacheLimit(4096, 1024));
    table = new MountTable(engine, 20_000);
    table.typeAdded(new Ext2FileSystemType());
  }

  @AfterEach
  void tearDown() {
    table.close();
    engine.close();
  }

  @Test
  void fileToNbd_underLoad() throws Exception {
    Path source = E2fs.mkfs(work.resolve("source.img"), "32M", null, "-b", "4096");
    Path served = ImageFiles.createSparse(work.resolve("served.img"), 32L << 20);
    try (NbdServer server = NbdServer.qemuNbdUnix(work, served, "raw")) {
      Ext2MigrationTest.migrateUnderLoad(
          table,
          work,
          FileDevice.open(FileDeviceConfig.of("disk0", source)),
          source,
          NbdDevice.open(NbdDeviceConfig.of("nbd1", server.uri())),
          served,
          SEED);
    }
  }

  @Test
  void nbdToFile_underLoad() throws Exception {
    Path served = E2fs.mkfs(work.resolve("served.img"), "32M", null, "-b", "1024");
    Path target = ImageFiles.createSparse(work.resolve("target.img"), 32L << 20);
    try (NbdServer server = NbdServer.qemuNbdUnix(work, served, "raw")) {
      Ext2MigrationTest.migrateUnderLoad(
          table,
          work,
          NbdDevice.open(NbdDeviceConfig.of("nbd0", server.uri())),
          served,
          FileDevice.open(FileDeviceConfig.of("disk1", target)),
          target,
          SEED + 1);
    }
  }
}
