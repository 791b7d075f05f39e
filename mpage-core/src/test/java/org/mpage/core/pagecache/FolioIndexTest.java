package org.mpage.core.pagecache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.mpage.api.page.Folio;

/**
 * The page index and its marks against a {@code HashMap} and {@code TreeSet}s doing the same
 * operations, seeded ({@code -Dmpage.seed=S} reruns a failing seed).
 */
class FolioIndexTest {
  @Test
  void indexAndMarks_behaveLikeAMapAndSortedSets() {
    long seed = Long.getLong("mpage.seed", 42L);
    Random rnd = new Random(seed);
    FolioIndex index = new FolioIndex();
    Map<Long, Folio> model = new HashMap<>();
    List<TreeSet<Long>> tags = List.of(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    ByteBuffer mem = ByteBuffer.allocate(Folio.PAGE_SIZE);
    for (int op = 0; op < 200_000; op++) {
      // clustered indices with a few far ones: node and word boundaries get crossed often
      long i = rnd.nextInt(10) == 0 ? rnd.nextInt(1 << 20) : rnd.nextInt(1200);
      String what = "seed " + seed + " op " + op + " index " + i;
      int tag = rnd.nextInt(3);
      switch (rnd.nextInt(6)) {
        case 0 -> {
          Folio f = new Folio(null, i, mem);
          Folio there = index.putIfAbsent(i, f);
          assertSame(model.get(i), there, what);
          model.putIfAbsent(i, f);
        }
        case 1 -> {
          Folio f = model.get(i);
          if (f != null) {
            assertEquals(true, index.remove(i, f), what);
            model.remove(i);
          } else {
            assertEquals(false, index.remove(i, new Folio(null, i, mem)), what);
          }
        }
        case 2 -> assertEquals(tags.get(tag).add(i), index.setTag(i, tag), what);
        case 3 -> assertEquals(tags.get(tag).remove(i), index.clearTag(i, tag), what);
        case 4 -> {
          long end = i + rnd.nextInt(3000);
          Long want = tags.get(tag).ceiling(i);
          long expected = want == null || want > end ? -1 : want;
          assertEquals(expected, index.nextTagged(tag, i, end), what);
        }
        default -> {
          assertSame(model.get(i), index.get(i), what);
          assertEquals(tags.get(tag).contains(i), index.isTagged(i, tag), what);
          assertEquals(!tags.get(tag).isEmpty(), index.anyTagged(tag), what);
        }
      }
    }
    assertEquals(model.size(), index.size());
  }
}
