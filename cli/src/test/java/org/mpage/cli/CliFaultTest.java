package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --fault}: fault targets stacked on the image's device through ServiceLoader. */
class CliFaultTest {
  @TempDir Path work;

  private static CliTest.Result mpage(String... args) {
    return CliWriteTest.mpage(args);
  }

  @Test
  void flakeyDownForWrites_failsTheCommand_andTheImageStaysClean() throws Exception {
    Path image = work.resolve("f.img");
    assertEquals(0, mpage("mkfs", image.toString(), "16M").status());
    Path local = Files.writeString(work.resolve("notes.txt"), "x".repeat(100_000));
    CliTest.Result r =
        mpage(
            "--fault",
            "flakey:up_ms=0,down_ms=600000,mode=error-writes",
            "put",
            image.toString(),
            local.toString(),
            "/notes.txt");
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("I/O error"), r.err());

    // Up for as long as the command runs: the same copy succeeds, and reads pass a delay.
    assertEquals(
        0,
        mpage(
                "--fault",
                "flakey:up_ms=600000,down_ms=1",
                "--fault",
                "delay:read_ms=1,write_ms=1",
                "put",
                image.toString(),
                local.toString(),
                "/notes.txt")
            .status());
    CliTest.Result cat =
        mpage(
            "--fault",
            "delay:read_ms=1",
            "--device",
            "ramdisk",
            "cat",
            image.toString(),
            "/notes.txt");
    assertEquals(0, cat.status(), cat.err());
    assertEquals("x".repeat(100_000), new String(cat.out(), StandardCharsets.UTF_8));
    CliWriteTest.fsck(image);
  }

  @Test
  void badFaultSpecs_areReported() throws Exception {
    Path image = work.resolve("g.img");
    assertEquals(0, mpage("mkfs", image.toString(), "8M").status());
    CliTest.Result r = mpage("--fault", "flakey:down_ms", "ls", image.toString());
    assertEquals(2, r.status(), r.err());
    r = mpage("--fault", "file", "ls", image.toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("not a fault target"), r.err());
    r = mpage("--fault", "flakey:down_ms=5,mode=sometimes", "ls", image.toString());
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("sometimes"), r.err());
  }
}
