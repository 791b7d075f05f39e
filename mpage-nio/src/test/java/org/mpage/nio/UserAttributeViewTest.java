package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * The {@code user} view over an image's {@code user.} attributes: the same script of list, size,
 * read, write, delete, {@code readAttributes("user:*")} and {@code setAttribute} gives the same
 * answers (errors included, path aside) on an image and on the host's default filesystem when its
 * temporary folder takes user attributes; debugfs reads what the view wrote, and the view reads
 * what debugfs wrote (and not its {@code trusted.} attribute).
 */
class UserAttributeViewTest {
  @TempDir Path work;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs the script on {@code file}; each step's answer or error, in order. */
  private static List<String> script(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
    out.add("name " + v.name());
    out.add("write " + v.write("one", ByteBuffer.wrap(b("first value"))));
    out.add("write " + v.write("two", ByteBuffer.wrap(new byte[] {0, 1, 2})));
    out.add("write " + v.write("one", ByteBuffer.wrap(b("replaced"))));
    out.add("write " + v.write("empty", ByteBuffer.allocate(0)));
    List<String> names = new ArrayList<>(v.list());
    names.removeIf(n -> !List.of("one", "two", "empty").contains(n));
    names.sort(null);
    out.add("list " + names);
    out.add("size " + v.size("one"));
    ByteBuffer dst = ByteBuffer.allocate(100);
    out.add(
        "read "
            + v.read("one", dst)
            + " "
            + new String(dst.array(), 0, dst.position(), StandardCharsets.UTF_8));
    out.add(attempt(() -> "read " + v.read("one", ByteBuffer.allocate(3))));
    out.add(attempt(() -> "size " + v.size("nope")));
    out.add(attempt(() -> "read " + v.read("nope", ByteBuffer.allocate(10))));
    v.delete("two");
    out.add(attempt(() -> "delete " + deleted(v, "two")));
    Map<String, Object> all = new TreeMap<>(Files.readAttributes(file, "user:*"));
    all.keySet().removeIf(n -> !List.of("one", "two", "empty").contains(n));
    StringBuilder sb = new StringBuilder("user:*");
    for (var e : all.entrySet()) {
      sb.append(' ')
          .append(e.getKey())
          .append('=')
          .append(new String((byte[]) e.getValue(), StandardCharsets.UTF_8));
    }
    out.add(sb.toString());
    Files.setAttribute(file, "user:three", b("by setAttribute"));
    out.add(
        "user:three "
            + new String((byte[]) Files.getAttribute(file, "user:three"), StandardCharsets.UTF_8));
    out.add(
        "store "
            + Files.getFileStore(file).supportsFileAttributeView("user")
            + " "
            + Files.getFileStore(file)
                .supportsFileAttributeView(UserDefinedFileAttributeView.class));
    return out;
  }

  private static String deleted(UserDefinedFileAttributeView v, String name) throws IOException {
    v.delete(name);
    return "ok";
  }

  private interface Step {
    String run() throws IOException;
  }

  /** The answer, or the error's class and its reason (the path left out). */
  private static String attempt(Step s) {
    try {
      return s.run();
    } catch (java.nio.file.FileSystemException e) {
      return e.getClass().getSimpleName() + ": " + e.getReason();
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** Whether the host's folder takes user attributes (tmpfs and many others do; some do not). */
  private static boolean hostTakesUserAttributes(Path file) {
    try {
      UserDefinedFileAttributeView v =
          Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
      if (v == null) {
        return false;
      }
      v.write("probe", ByteBuffer.wrap(b("p")));
      v.delete("probe");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  @Test
  void userView_answersAsTheDefaultFilesystem_andDebugfsAgrees() throws Exception {
    Path tree = Files.createDirectories(work.resolve("tree"));
    Files.writeString(tree.resolve("f"), "x");
    Path image = Images.mkfs(work.resolve("u.img"), "8M", tree);
    E2fs.eaSet(image, "/f", "user.from-debugfs", b("dv"));
    E2fs.eaSet(image, "/f", "trusted.hidden", b("not a user attribute"));
    List<String> onImage;
    try (FileSystem fs = Images.open(image)) {
      Path f = fs.getPath("/f");
      assertTrue(fs.supportedFileAttributeViews().contains("user"));
      UserDefinedFileAttributeView v =
          Files.getFileAttributeView(f, UserDefinedFileAttributeView.class);
      assertEquals(List.of("from-debugfs"), v.list());
      onImage = script(f);
    }
    Images.fsck(image);
    assertArrayEquals(b("replaced"), E2fs.eaGet(image, "/f", "user.one", false));
    assertArrayEquals(b("by setAttribute"), E2fs.eaGet(image, "/f", "user.three", false));
    assertEquals(
        new java.util.HashSet<>(
            List.of("user.from-debugfs", "trusted.hidden", "user.one", "user.empty", "user.three")),
        new java.util.HashSet<>(E2fs.eaList(image, "/f")));

    Path host = Files.writeString(work.resolve("host-file"), "x");
    if (!hostTakesUserAttributes(host)) {
      System.out.println(
          "UserAttributeViewTest: "
              + work
              + " takes no user attributes; compared with debugfs only");
      return;
    }
    assertEquals(script(host), onImage);
  }
}
