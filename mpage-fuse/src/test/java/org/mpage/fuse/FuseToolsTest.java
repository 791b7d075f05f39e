package org.mpage.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mpage.fuse.Mounted.sh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * A real FUSE mount of an mke2fs image used as a user would, with the host's own tools: {@code cp
 * -a}, {@code tar}, {@code rsync -a} in and out, {@code diff -r}, {@code find}, {@code ln -s},
 * {@code mv} across directories, {@code df}; then, unmounted, e2fsck finds the image clean and
 * debugfs's {@code rdump} gives back the source tree.
 */
class FuseToolsTest {
  @TempDir Path work;

  /** A source tree: nested folders, files of awkward sizes, a hole, a symlink, a hard link. */
  private Path sourceTree() throws Exception {
    Path src = Files.createDirectories(work.resolve("src"));
    Random r = new Random(14);
    int[] sizes = {0, 1, 511, 4095, 4096, 4097, 65536, 100_000, 1 << 20, 3 * (1 << 20) + 7};
    for (String d : List.of("a", "a/b", "a/b/c", "d e", "f")) {
      Path dir = Files.createDirectories(src.resolve(d));
      for (int i = 0; i < sizes.length; i += 1 + r.nextInt(3)) {
        byte[] data = new byte[sizes[i]];
        r.nextBytes(data);
        Files.write(dir.resolve("file " + i + ".bin"), data);
      }
    }
    Files.writeString(src.resolve("a/readme.txt"), "hello from mpage over FUSE\n");
    Files.createSymbolicLink(src.resolve("f/link"), Path.of("../a/readme.txt"));
    Files.createLink(src.resolve("f/hard"), src.resolve("a/readme.txt"));
    Files.setPosixFilePermissions(
        src.resolve("a/readme.txt"), PosixFilePermissions.fromString("rw-r-----"));
    Files.setLastModifiedTime(src.resolve("a/readme.txt"), FileTime.fromMillis(1_000_000_000_000L));
    sh(work, "truncate -s 5M src/f/sparse && printf tail >> src/f/sparse");
    return src;
  }

  @Test
  void hostToolsThroughTheMount() throws Exception {
    Mounted.assumeFuse();
    sourceTree();
    Path image = E2fs.mkfs(work.resolve("fs.img"), "64M", null, "-b", "4096");
    Path mnt = Files.createDirectory(work.resolve("mnt"));
    try (Mounted m = Mounted.mount(image, mnt, false)) {
      sh(work, "cp -a src mnt/cp");
      sh(work, "mkdir mnt/tar && tar -C src -cf - . | tar -C mnt/tar -xf -");
      sh(work, "rsync -a src/ mnt/rsync/");
      for (String copy : List.of("cp", "tar", "rsync")) {
        sh(work, "diff -r src mnt/" + copy);
        assertEquals(
            sh(work, "cd src && find . | sort"),
            sh(work, "cd mnt/" + copy + " && find . | sort"),
            copy);
      }
      // Modes, times, the symlink and the hard link kept by cp -a.
      assertEquals(
          sh(work, "cd src && stat -c '%A %Y %s %h' a/readme.txt f/sparse"),
          sh(work, "cd mnt/cp && stat -c '%A %Y %s %h' a/readme.txt f/sparse"));
      assertEquals("../a/readme.txt\n", sh(work, "readlink mnt/rsync/f/link"));
      assertEquals(
          sh(work, "stat -c %i mnt/cp/a/readme.txt"), sh(work, "stat -c %i mnt/cp/f/hard"));

      // And out again.
      sh(work, "cp -a mnt/cp out1 && diff -r src out1");
      sh(work, "mkdir out2 && tar -C mnt/tar -cf - . | tar -C out2 -xf - && diff -r src out2");
      sh(work, "rsync -a mnt/rsync/ out3/ && diff -r src out3");

      // ln -s, mv across directories, rm -r, df.
      sh(
          work,
          "ln -s ../cp/a mnt/tar/lnk && test \"$(cat mnt/tar/lnk/readme.txt)\" = 'hello from mpage over FUSE'");
      sh(
          work,
          "mv mnt/rsync/a mnt/tar/moved && test ! -e mnt/rsync/a && diff -r src/a mnt/tar/moved");
      sh(work, "mv mnt/tar/f/sparse mnt/cp/sparse2 && cmp src/f/sparse mnt/cp/sparse2");
      sh(work, "rm -r mnt/rsync");
      String df = sh(work, "df -k --output=source,size,used mnt | tail -1");
      assertTrue(df.startsWith(image.toString()), df);
      String[] cols = df.trim().split("\\s+", -1);
      long sizeKb = Long.parseLong(cols[1]);
      assertTrue(sizeKb > 60 * 1024 && sizeKb <= 64 * 1024, df);
      assertTrue(Long.parseLong(cols[2]) > 3 * 10 * 1024, df); // three copies of ~10 MiB
    }
    Mounted.fsck(image);
    Path dump = Files.createDirectory(work.resolve("dump"));
    E2fs.run(List.of(E2fs.tool("debugfs"), "-R", "rdump /cp " + dump, image.toString()));
    // /cp as cp -a made it, plus the sparse file moved in from /tar.
    sh(work, "cmp src/f/sparse dump/cp/sparse2 && rm dump/cp/sparse2 && diff -r src dump/cp");
  }

  @Test
  void specialFilesThroughTheMount_mkfifoAndMknod() throws Exception {
    Mounted.assumeFuse();
    Path image = E2fs.mkfs(work.resolve("sp.img"), "8M", null);
    Path mnt = Files.createDirectory(work.resolve("mnt"));
    try (Mounted m = Mounted.mount(image, mnt, false)) {
      sh(work, "mkfifo -m 0640 mnt/fifo");
      assertEquals("fifo 640\n", sh(work, "stat -c '%F %a' mnt/fifo"));
      if ("root".equals(System.getProperty("user.name"))) {
        sh(work, "mknod -m 0600 mnt/null c 1 3 && mknod mnt/big b 300 70000");
        assertEquals(
            "character special file 1 3\nblock special file 12c 11170\n",
            sh(work, "stat -c '%F %t %T' mnt/null mnt/big"));
      }
    }
    Mounted.fsck(image);
    String fifo = E2fs.debugfs(image, false, "stat /fifo");
    assertTrue(fifo.contains("Type: FIFO") && fifo.contains("Mode:  0640"), fifo);
    if ("root".equals(System.getProperty("user.name"))) {
      String big = E2fs.debugfs(image, false, "stat /big");
      assertTrue(big.contains("Device major/minor number: 300:70000"), big);
    }
  }
}
