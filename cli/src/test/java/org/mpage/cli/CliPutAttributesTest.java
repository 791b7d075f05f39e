package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code put} keeps its source's owners, mode and times unless told otherwise ({@code --owner},
 * {@code --mode}); {@code mknod} and its errors. debugfs reads the result back.
 */
class CliPutAttributesTest {
  @TempDir Path work;

  private static void ok(CliTest.Result r) {
    assertEquals(0, r.status(), r.err());
  }

  @Test
  void put_keepsOwnersModeAndTimes_unlessTold() throws Exception {
    Path image = work.resolve("p.img");
    ok(CliWriteTest.mpage("mkfs", image.toString(), "16M"));
    Path src = Files.createDirectories(work.resolve("src/sub"));
    Files.writeString(src.resolve("f"), "f\n");
    Files.createSymbolicLink(src.resolve("l"), Path.of("f"));
    if (MkfsTrees.root()) {
      MkfsTrees.run("chown", "-hR", "2000:3000", work.resolve("src").toString());
    }
    MkfsTrees.run("chmod", "2750", src.resolve("f").toString());
    MkfsTrees.run("touch", "-h", "-d", "@1111111111", src.resolve("l").toString());
    MkfsTrees.run("touch", "-d", "@1222222222", src.resolve("f").toString());
    MkfsTrees.run("touch", "-d", "@1333333333", src.toString());
    ok(CliWriteTest.mpage("put", "-r", image.toString(), work.resolve("src").toString(), "/kept"));
    ok(
        CliWriteTest.mpage(
            "put",
            "-r",
            "--owner",
            "7:8",
            "--mode",
            "640",
            image.toString(),
            work.resolve("src").toString(),
            "/told"));
    CliWriteTest.fsck(image);
    List<String> paths =
        List.of("/kept/sub", "/kept/sub/f", "/kept/sub/l", "/told/sub", "/told/sub/f");
    Map<String, MkfsTrees.Stat> st = MkfsTrees.debugfsStats(image, paths, work);
    for (String p : List.of("/kept/sub", "/kept/sub/f", "/kept/sub/l")) {
      MkfsTrees.Stat host = MkfsTrees.hostStat(work.resolve("src").resolve(p.substring(6)));
      MkfsTrees.Stat img = st.get(p);
      assertEquals(host.mode(), img.mode(), p);
      assertEquals(host.uid(), img.uid(), p);
      assertEquals(host.gid(), img.gid(), p);
      assertEquals(host.mtime(), img.mtime(), p);
    }
    assertEquals(02750, st.get("/kept/sub/f").mode());
    assertEquals(1_111_111_111L, st.get("/kept/sub/l").mtime());
    assertEquals(0640, st.get("/told/sub/f").mode());
    assertEquals(7, st.get("/told/sub/f").uid());
    assertEquals(8, st.get("/told/sub/f").gid());
    assertEquals(1_222_222_222L, st.get("/told/sub/f").mtime());
    assertEquals(st.get("/kept/sub").mode(), st.get("/told/sub").mode(), "--mode spares dirs");
  }

  @Test
  void mknod_errors() throws Exception {
    Path image = work.resolve("m.img");
    ok(CliWriteTest.mpage("mkfs", image.toString(), "8M"));
    CliTest.Result r = CliWriteTest.mpage("mknod", image.toString(), "/x", "q");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("mpage: mknod TYPE is c, b, p or s, not q\n"), r.err());
    r = CliWriteTest.mpage("mknod", image.toString(), "/x", "c", "1");
    assertEquals(2, r.status());
    r = CliWriteTest.mpage("mknod", image.toString(), "/missing/x", "p");
    assertEquals(1, r.status());
    assertEquals("mpage: /missing/x: no such file or directory\n", r.err());
    ok(CliWriteTest.mpage("mknod", image.toString(), "/x", "p"));
    r = CliWriteTest.mpage("mknod", image.toString(), "/x", "b", "8", "0");
    assertEquals(1, r.status());
    assertEquals("mpage: /x: file exists\n", r.err());
    r = CliWriteTest.mpage("put", "--owner", "1", image.toString(), work.toString(), "/");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("mpage: --owner takes UID:GID, not 1\n"), r.err());
    CliWriteTest.fsck(image);
  }
}
