package org.mpage.bench;

import java.util.Locale;

/**
 * Prints the read BIOs and get_block calls per MiB for one 256 MiB sequential read through mpage
 * and through the buffer path: counts, not timings, so one run suffices.
 */
public final class BioCount {
  private BioCount() {}

  public static void main(String[] args) throws Exception {
    for (int bs : new int[] {4096, 1024}) {
      ReadaheadBenchmark b = new ReadaheadBenchmark();
      b.blockSize = bs;
      b.setup();
      try {
        for (String path : new String[] {"mpage", "bufferPath"}) {
          b.dropCaches();
          var before = b.stats();
          ReadaheadBenchmark.Bios bios = new ReadaheadBenchmark.Bios();
          long sum = path.equals("mpage") ? b.mpage(bios) : b.bufferPath(bios);
          var d = b.stats().minus(before);
          double mib = ReadaheadBenchmark.FILE_BYTES / (double) (1 << 20);
          System.out.printf(
              Locale.ROOT,
              "block %4d %-10s read BIOs/MiB %8.2f  get_block calls/MiB %8.2f  fallbacks %d (checksum %d)%n",
              bs,
              path,
              d.readBios() / mib,
              d.getBlockCalls() / mib,
              d.bufferPathFallbacks(),
              sum);
        }
      } finally {
        b.tearDown();
      }
    }
  }
}
