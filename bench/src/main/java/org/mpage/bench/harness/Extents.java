package org.mpage.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fewest read BIOs a file needs, from the block list {@code debugfs stat} prints. */
final class Extents {
  private static final Pattern RANGE =
      Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)(?:-(\\d+))?");

  private Extents() {}

  /**
   * Data runs (logical ranges mapped to physical ranges; indirect blocks excluded) merged where
   * physically contiguous, each needing ceil(bytes / maxBioBytes) BIOs.
   */
  static long minimumReadBios(String debugfsStat, int blockSize, int maxBioBytes) {
    List<long[]> runs = new ArrayList<>();
    Matcher m = RANGE.matcher(debugfsStat);
    while (m.find()) {
      long lStart = Long.parseLong(m.group(1));
      long lEnd = m.group(2) == null ? lStart : Long.parseLong(m.group(2));
      long pStart = Long.parseLong(m.group(3));
      long pEnd = m.group(4) == null ? pStart : Long.parseLong(m.group(4));
      if (pEnd - pStart != lEnd - lStart) {
        throw new IllegalArgumentException("unexpected block list entry " + m.group());
      }
      if (!runs.isEmpty()) {
        long[] last = runs.get(runs.size() - 1);
        if (last[1] + 1 == pStart && last[2] + 1 == lStart) {
          last[1] = pEnd;
          last[2] = lEnd;
          continue;
        }
      }
      runs.add(new long[] {pStart, pEnd, lEnd});
    }
    long perBio = maxBioBytes / blockSize;
    long bios = 0;
    for (long[] r : runs) {
      long blocks = r[1] - r[0] + 1;
      bios += (blocks + perBio - 1) / perBio;
    }
    return bios;
  }
}
