package org.mpage.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MarginalTest {
  private static final long MIB = 1 << 20;

  @Test
  void startUpCancelsAndTheDifferenceIsScaledToAGib() {
    // 0.3 s to start either way; 1023 MiB more take 2.046 s, so 2.048 s per GiB.
    long[] big = {2_400_000_000L, 2_346_000_000L, 2_200_000_000L};
    long[] small = {300_000_000L, 290_000_000L, 310_000_000L};
    assertEquals(2_048_000_000.0, Marginal.nanosPerGib(big, small, 1024 * MIB, MIB), 1.0);
  }

  @Test
  void quickSizesGiveTheSameFigurePerGib() {
    // 64 MiB against 1 MiB: 63 MiB more in 126 ms, 2.048 s per GiB as above.
    long[] big = {426_000_000L};
    long[] small = {300_000_000L};
    assertEquals(2_048_000_000.0, Marginal.nanosPerGib(big, small, 64 * MIB, MIB), 1.0);
  }

  @Test
  void mediansNotMeansAreSubtracted() {
    long[] big = {5_000, 1_000_000, 3_000};
    long[] small = {1_000, 900_000, 2_000};
    // medians 5000 and 2000: 3000 ns for 1 MiB more.
    assertEquals(3_000.0 * 1024, Marginal.nanosPerGib(big, small, 2 * MIB, MIB), 1e-6);
  }

  @Test
  void noGrowthGivesNoFigureAndNoRatio() {
    double m = Marginal.nanosPerGib(new long[] {100}, new long[] {120}, 64 * MIB, MIB);
    assertTrue(Double.isNaN(m));
    assertTrue(Double.isNaN(Marginal.ratio(1e9, m)));
    assertTrue(Double.isNaN(Marginal.ratio(m, 1e9)));
    assertTrue(Double.isNaN(Marginal.ratio(0, 1e9)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Marginal.nanosPerGib(new long[] {1}, new long[] {1}, MIB, MIB));
  }

  @Test
  void ratioIsBaselineOverMpage() {
    assertEquals(2.5, Marginal.ratio(5e9, 2e9), 1e-12);
  }
}
