package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * {@code ./mpage} on an ext3 image whose journal needs recovery: the read commands see the replayed
 * filesystem (what e2fsck's recovery gives), {@code info} says what was replayed, a write is
 * refused with what to do, and the image file never changes.
 */
class CliJournalTest {
  @TempDir Path work;

  @Test
  void aDirtyJournal_isReplayedForReading_andRefusedForWriting() throws Exception {
    Path tree = Files.createDirectory(work.resolve("tree"));
    String old = "the old content of this block, before the crash\n";
    String now = "the new content, only in the journal at the crash\n";
    Files.writeString(tree.resolve("hello.txt"), old);
    Path image = work.resolve("j.img");
    E2fs.run(
        List.of(
            E2fs.tool("mke2fs"),
            "-q",
            "-F",
            "-t",
            "ext3",
            "-b",
            "1024",
            "-d",
            tree.toString(),
            image.toString(),
            "8M"));
    long block = E2fs.bmap(image, "/hello.txt", 0);
    byte[] logged = Arrays.copyOf(now.getBytes(StandardCharsets.UTF_8), 1024);
    Path data = Files.write(work.resolve("logged"), logged);
    Path script =
        Files.write(work.resolve("script"), List.of("jo", "jw -b " + block + " " + data, "jc"));
    E2fs.run(List.of(E2fs.tool("debugfs"), "-w", "-f", script.toString(), image.toString()));
    byte[] before = sha(image);

    CliTest.Result info = CliTest.mpage("info", image.toString());
    assertEquals(0, info.status(), info.err());
    assertTrue(
        info.text().contains("Journal:           replayed 1 transaction, 1 block, 0 revoked\n"),
        info.text());
    assertTrue(!info.text().contains("needs_recovery"), info.text());

    CliTest.Result cat = CliTest.mpage("cat", image.toString(), "/hello.txt");
    assertEquals(0, cat.status(), cat.err());
    Path fsck = work.resolve("fsck.img");
    Files.copy(image, fsck);
    E2fs.run(List.of(E2fs.tool("e2fsck"), "-fy", fsck.toString()));
    Path theirs = work.resolve("theirs");
    E2fs.debugfs(fsck, false, "dump /hello.txt " + theirs);
    assertArrayEquals(Files.readAllBytes(theirs), cat.out());
    assertEquals(now.substring(0, old.length()), cat.text());

    CliTest.Result mkdir = CliTest.mpage("mkdir", image.toString(), "/d");
    assertEquals(1, mkdir.status());
    assertEquals(
        "mpage: "
            + image
            + ": unsupported ext2 feature(s): needs_recovery (needs journal recovery: mount"
            + " read-only, or run e2fsck)\n",
        mkdir.err());
    assertArrayEquals(before, sha(image), "the image changed");
  }

  private static byte[] sha(Path file) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
  }
}
