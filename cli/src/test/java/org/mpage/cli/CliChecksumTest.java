package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/** An image with metadata_csum: a damaged inode is one error line, --no-csum reads on. */
class CliChecksumTest {
  @TempDir Path work;

  @Test
  void inodeChecksumMismatch_isOneLine_andNoCsumReadsOn() throws Exception {
    Path tree = Files.createDirectory(work.resolve("tree"));
    Files.writeString(tree.resolve("hello.txt"), "hello, world\n");
    Path image = E2fs.mkfs(work.resolve("c.img"), "4M", tree, "-O", "metadata_csum");
    long[] at = E2fs.imap(image, "/hello.txt");
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {0x5A}), at[0] * 1024 + at[1] + 8); // i_atime
    }

    CliTest.Result r = CliTest.mpage("cat", image.toString(), "/hello.txt");
    assertEquals(1, r.status());
    assertTrue(
        r.err()
            .matches(
                "mpage: /hello.txt: corrupt filesystem: inode 12: checksum mismatch"
                    + " \\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\) \\(block \\d+\\)\n"),
        r.err());

    r = CliTest.mpage("--no-csum", "cat", image.toString(), "/hello.txt");
    assertEquals(0, r.status(), r.err());
    assertEquals("hello, world\n", r.text());

    // Writing would leave stale checksums: the read-write mount is refused.
    r = CliTest.mpage("mkdir", image.toString(), "/d");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("metadata_csum"), r.err());
  }

  @Test
  void info_showsTheSeedDumpe2fsShows() throws Exception {
    Path image =
        E2fs.mkfs(work.resolve("s.img"), "4M", null, "-O", "metadata_csum,metadata_csum_seed");
    String dump = E2fs.run(java.util.List.of(E2fs.tool("dumpe2fs"), "-h", image.toString()));
    String seed = dump.replaceAll("(?s).*Checksum seed:\\s+(0x[0-9a-f]+).*", "$1");
    CliTest.Result r = CliTest.mpage("info", image.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.text()
            .contains(
                "\nChecksum:          crc32c, seed " + seed + " (stored: metadata_csum_seed)\n"),
        r.text());
  }
}
