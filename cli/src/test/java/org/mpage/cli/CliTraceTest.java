package org.mpage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;
import org.w3c.dom.Document;

/**
 * {@code --trace}, {@code --data-path} and {@code plot}: BIO traces of mpage and the buffer path.
 */
class CliTraceTest {
  @TempDir static Path work;
  static Path image;
  static byte[] data;

  @BeforeAll
  static void makeImage() throws Exception {
    Path tree = Files.createDirectory(work.resolve("tree"));
    data = new byte[2 << 20];
    new Random(7).nextBytes(data);
    Files.write(tree.resolve("f"), data);
    image = E2fs.mkfs(work.resolve("t.img"), "8M", tree, "-b", "4096");
  }

  /** The trace's lines for one action and op, e.g. Q and R. */
  static List<String[]> events(Path trace, String action, char op) throws Exception {
    return Files.readAllLines(trace).stream()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.split(" +"))
        .filter(f -> f[4].equals(action) && f[5].charAt(0) == op)
        .toList();
  }

  @Test
  void traceShowsMpageIssuingFewerLargerBiosThanTheBufferPath() throws Exception {
    Path mp = work.resolve("mpage.trace");
    Path bp = work.resolve("buffer.trace");
    CliTest.Result a = CliTest.mpage("--trace", mp.toString(), "cat", image.toString(), "/f");
    CliTest.Result b =
        CliTest.mpage(
            "--trace", bp.toString(), "--data-path", "buffer", "cat", image.toString(), "/f");
    assertEquals(0, a.status(), a.err());
    assertEquals(0, b.status(), b.err());
    assertArrayEquals(data, a.out());
    assertArrayEquals(data, b.out(), "the buffer path reads the same bytes");

    List<String[]> mpQ = events(mp, "Q", 'R');
    List<String[]> bpQ = events(bp, "Q", 'R');
    long mpData = mpQ.stream().filter(f -> Long.parseLong(f[8]) >= 8 * 64).count();
    assertTrue(mpData >= 2 && mpData <= 4, "mpage reads 2 MiB in 1 MiB readahead BIOs: " + mpData);
    assertTrue(bpQ.size() >= 512, "the buffer path queues a BIO per 4 KiB block: " + bpQ.size());
    // Every queued BIO completes, and the completions carry the same sectors.
    assertEquals(mpQ.size(), events(mp, "C", 'R').size());
    String[] first = mpQ.get(0);
    assertEquals("image", first[0]);
    assertTrue(first[2].matches("\\d+\\.\\d{9}"), first[2]);

    Path svg = work.resolve("both.svg");
    CliTest.Result p = CliTest.mpage("plot", mp.toString(), bp.toString(), svg.toString());
    assertEquals(0, p.status(), p.err());
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
    assertEquals("svg", doc.getDocumentElement().getTagName());
    String text = Files.readString(svg);
    assertTrue(text.contains(">mpage.trace<") && text.contains(">buffer.trace<"), text);
    assertTrue(text.contains("fill=\"#1f77b4\""), "reads are drawn");
  }

  @Test
  void badTraceAndBadOptionsAreClearErrors() throws Exception {
    Path bad = Files.writeString(work.resolve("bad.trace"), "not a trace\n");
    CliTest.Result r = CliTest.mpage("plot", bad.toString(), work.resolve("x.svg").toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("mpage: " + bad + ": line 1 is not a trace event"), r.err());
    assertEquals(2, CliTest.mpage("--data-path", "fast", "ls", image.toString()).status());
    assertEquals(2, CliTest.mpage("plot", "only-one").status());
  }
}
