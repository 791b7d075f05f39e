package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three answers the adversarial run found different from the JDK's own filesystem: an appending
 * channel's position, an option the provider does not know, a name longer than a name can be. Each
 * is asked of both and the answers compared.
 */
class JdkAnswersTest {
  @TempDir Path work;

  private static String outcome(Path root, Function<Path, Object> f) {
    try {
      return String.valueOf(f.apply(root));
    } catch (RuntimeException e) {
      Throwable c =
          e.getCause() != null && e instanceof java.io.UncheckedIOException ? e.getCause() : e;
      return c.getClass().getSimpleName();
    }
  }

  private static Object io(IoCall c) {
    try {
      return c.call();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  interface IoCall {
    Object call() throws java.io.IOException;
  }

  @Test
  void appendPositionUnknownOptionAndLongNamesAnswerAsTheJdk() throws Exception {
    Path host = Files.createDirectory(work.resolve("host"));
    try (FileSystem fs = Images.open(Images.mkfs(work.resolve("m.img"), "8M", null))) {
      Path img = fs.getPath("/");
      List<Function<Path, Object>> cases = new ArrayList<>();
      cases.add(
          root ->
              io(
                  () -> {
                    Files.write(root.resolve("a"), new byte[1000]);
                    try (FileChannel ch =
                        FileChannel.open(root.resolve("a"), StandardOpenOption.APPEND)) {
                      long atOpen = ch.position();
                      ch.write(ByteBuffer.allocate(10));
                      return atOpen + " " + ch.position() + " " + ch.size();
                    }
                  }));
      OpenOption odd = new OpenOption() {};
      cases.add(root -> io(() -> Files.newByteChannel(root.resolve("b"), Set.of(odd)).isOpen()));
      String longName = "n".repeat(256);
      cases.add(root -> io(() -> Files.readAllBytes(root.resolve(longName)).length));
      cases.add(root -> Files.exists(root.resolve(longName)));
      for (Function<Path, Object> c : cases) {
        assertEquals(outcome(host, c), outcome(img, c));
      }
    }
  }

  @Test
  void unixRdev_ofADevice_isWhatTheJdkSaysOfTheHostsDevNull() throws Exception {
    Path image = Images.mkfs(work.resolve("d.img"), "8M", null);
    org.mpage.fs.ext2.E2fs.debugfs(image, true, "mknod null c 1 3");
    try (FileSystem fs = Images.open(image)) {
      java.nio.file.LinkOption nofollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
      assertEquals(
          Files.getAttribute(Path.of("/dev/null"), "unix:rdev", nofollow),
          Files.getAttribute(fs.getPath("/null"), "unix:rdev", nofollow));
      assertEquals(0L, Files.getAttribute(fs.getPath("/"), "unix:rdev", nofollow));
    }
  }
}
