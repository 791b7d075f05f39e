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

  static long stat(CliTest.Result r, String key) {
    return r.err()
        .lines()
        .filter(l -> l.startsWith("mpage: stats: " + key + " "))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " in " + r.err()));
  }

  @Test
  void statsOnEveryCommandCountTheFinalWriteback() throws Exception {
    Path img = work.resolve("stats.img");
    CliTest.Result mkfs = CliTest.mpage("--stats", "mkfs", img.toString(), "8M");
    assertEquals(0, mkfs.status(), mkfs.err());
    assertTrue(stat(mkfs, "bios.write") > 0, mkfs.err());
    assertTrue(mkfs.err().contains("mpage: stats: device image "), mkfs.err());

    Path local = Files.write(work.resolve("local.bin"), data);
    CliTest.Result put = CliTest.mpage("--stats", "put", img.toString(), local.toString(), "/x");
    assertEquals(0, put.status(), put.err());
    assertTrue(stat(put, "sectors.written") >= data.length / 512, put.err());
    assertTrue(stat(put, "bios.flush") >= 2, "fsync's and the unmount's flushes: " + put.err());
    String device =
        put.err()
            .lines()
            .filter(l -> l.startsWith("mpage: stats: device "))
            .findFirst()
            .orElseThrow();
    long flushes = Long.parseLong(device.substring(device.lastIndexOf(' ') + 1));
    assertTrue(flushes >= 2, "fsync's and the unmount's flushes are counted: " + device);

    CliTest.Result ls = CliTest.mpage("--stats", "ls", img.toString(), "/");
    assertEquals(0, ls.status(), ls.err());
    assertEquals(stat(ls, "bios.read"), stat(ls, "bios.read.meta"), "ls reads metadata only");
    assertTrue(stat(ls, "get_block.calls") >= 0);
  }

  @Test
  void badTraceAndBadOptionsAreClearErrors() throws Exception {
    Path bad = Files.writeString(work.resolve("bad.trace"), "not a trace\n");
    CliTest.Result r = CliTest.mpage("plot", bad.toString(), work.resolve("x.svg").toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("mpage: " + bad + ": line 1 is not a trace event"), r.err());
    assertEquals(2, CliTest.mpage("--data-path", "fast", "ls", image.toString()).status());
    CliTest.Result dir = CliTest.mpage("ls", work.toString(), "/");
    assertEquals(1, dir.status());
    assertEquals("mpage: " + work + ": is a directory\n", dir.err());
    assertEquals(2, CliTest.mpage("plot", "only-one").status());
  }
}
