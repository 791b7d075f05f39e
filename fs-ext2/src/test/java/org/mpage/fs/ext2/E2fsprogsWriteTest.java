package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.fs.FileHandle;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;

/**
 * Writing to e2fsprogs' corrupted images must never turn a repairable image into one e2fsck cannot
 * repair: for every image that {@code e2fsck -fy} can repair as it is, mount it read-write (where
 * allowed), make a directory and write and fsync a file, unmount; {@code e2fsck -fy} must still
 * succeed. Only IOExceptions may come out of our side.
 */
class E2fsprogsWriteTest {
  @TempDir static Path work;

  @TestFactory
  Stream<DynamicTest> writingNeverMakesAnImageUnrepairable() throws IOException {
    List<Path> cases = new ArrayList<>();
    try (Stream<Path> s = Files.list(E2fsprogsImagesTest.IMAGES)) {
      s.filter(p -> Files.exists(p.resolve("image.gz"))).sorted().forEach(cases::add);
    }
    return cases.stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
  }

  private static int fsck(Path image) throws Exception {
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-fy", image.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  private static void check(Path testCase) throws Exception {
    Path image = work.resolve(testCase.getFileName() + ".img");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(testCase.resolve("image.gz")))) {
      Files.copy(in, image, StandardCopyOption.REPLACE_EXISTING);
    }
    Path probe = work.resolve("probe.img");
    Files.copy(image, probe, StandardCopyOption.REPLACE_EXISTING);
    boolean repairable = fsck(probe) < 4;
    Files.delete(probe);
    if (!repairable) {
      Files.delete(image);
      return; // e2fsck cannot repair it even untouched: nothing to preserve
    }
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          try (Mounted m =
              Mounted.on(
                  FileDevice.open(FileDeviceConfig.of("img", image)), Map.of(), 128, false)) {
            try {
              m.fs.mkdir("/mpage-dir", 0755);
            } catch (IOException e) {
              assertTrue(e.getMessage() != null, e.toString());
            }
            try (FileHandle f = m.fs.openWrite("/mpage-file", true, true, 0644)) {
              f.write(
                  0,
                  ByteBuffer.wrap(
                      "written by mpage".repeat(1000).getBytes(StandardCharsets.US_ASCII)));
              f.fsync();
            } catch (IOException e) {
              assertTrue(e.getMessage() != null, e.toString());
            }
          } catch (IOException e) {
            assertTrue(e.getMessage() != null, e.toString()); // refused or failed: a clear error
          }
        });
    int status = fsck(image);
    assertTrue(
        status < 4, testCase.getFileName() + ": e2fsck -fy exit " + status + " after our writes");
    Files.delete(image);
  }
}
