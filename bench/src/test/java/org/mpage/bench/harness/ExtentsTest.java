package org.mpage.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtentsTest {
  @Test
  void indirectBlocksSplitRunsAndLongRunsSplitAtTheBioLimit() {
    String stat =
        "BLOCKS:\n(0-11):1000-1011, (IND):1012, (12-1035):1013-2036, (DIND):2037,"
            + " (IND):2038, (1036-2059):2039-3062\nTOTAL: 2063\n";
    // 4K blocks, 1 MiB BIOs = 256 blocks: 12 -> 1, 1024 -> 4, 1024 -> 4.
    assertEquals(9, Extents.minimumReadBios(stat, 4096, 1 << 20));
  }

  @Test
  void physicallyContiguousEntriesMerge() {
    String stat = "(0-9):100-109, (10-19):110-119";
    assertEquals(1, Extents.minimumReadBios(stat, 4096, 1 << 20));
    assertEquals(20, Extents.minimumReadBios(stat, 4096, 4096));
  }

  @Test
  void ext4ExtentListsSkipTheirIndexBlocks() {
    // debugfs stat of an extent-mapped file: (ETBn) names an extent tree block, not file data.
    String stat = "EXTENTS:\n(ETB0):57607, (0-204):7988-8192, (205-15815):8966-24576";
    assertEquals(1 + 61, Extents.minimumReadBios(stat, 4096, 1 << 20));
  }

  @Test
  void singleBlocksCount() {
    assertEquals(2, Extents.minimumReadBios("(0):50, (1):52", 1024, 1 << 20));
  }

  @TempDir Path dir;

  @Test
  void markdownSectionIsInsertedThenReplaced() throws Exception {
    Path md = dir.resolve("B.md");
    Files.writeString(md, "# Benchmarks\n\nIntro.\n\n## Older\n\nold figures\n");
    Markdown.update(md, "## Latest\n\nfirst\n");
    String once = Files.readString(md);
    assertTrue(once.indexOf("first") < once.indexOf("## Older"), once);
    Markdown.update(md, "## Latest\n\nsecond\n");
    String twice = Files.readString(md);
    assertTrue(twice.contains("second") && !twice.contains("first"), twice);
    assertTrue(twice.contains("old figures") && twice.contains("Intro."), twice);
    assertEquals(1, twice.split(java.util.regex.Pattern.quote(Markdown.BEGIN), -1).length - 1);
  }

  @Test
  void medianOfOddAndEven() {
    assertEquals(3.0, Report.median(new long[] {5, 1, 3}));
    assertEquals(2.5, Report.median(new long[] {4, 1, 3, 2}));
  }

  @Test
  void quickScalesTheWholeProcessRowsDownToo() {
    Options full = Options.parse(new String[0]);
    Options quick = Options.parse(new String[] {"--quick"});
    assertEquals(1024, full.processMib());
    assertEquals(64, quick.processMib());
    assertEquals(400, quick.files());
    assertEquals(
        "./mpage bench --process-size 128",
        Options.parse(new String[] {"--process-size", "128"}).command());
  }
}
