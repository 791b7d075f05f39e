package org.mpage.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeakRssTest {
  @Test
  void gnuTimeFigureIsTheLastLine() {
    assertEquals(212_344, PeakRss.parseTime("212344\n"));
    assertEquals(1080, PeakRss.parseTime("Command exited with non-zero status 1\n1080\n"));
  }

  @Test
  void gnuTimeWithoutAFigureIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> PeakRss.parseTime(""));
    assertThrows(
        IllegalArgumentException.class,
        () -> PeakRss.parseTime("Command terminated by signal 9\n"));
  }

  @Test
  void vmHwmFromProcStatus() {
    String status =
        "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 9876543 kB\n"
            + "VmSize:\t 9876000 kB\nVmHWM:\t  187236 kB\nVmRSS:\t  180000 kB\nThreads:\t19\n";
    assertEquals(187_236, PeakRss.parseVmHwm(status));
  }

  @Test
  void zombieOrKernelThreadHasNoVmHwm() {
    assertEquals(-1, PeakRss.parseVmHwm("Name:\tjava\nState:\tZ (zombie)\nThreads:\t1\n"));
  }

  @Test
  void pollingFindsAPeakAndDrainsStdout() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc");
    long[] bytes = new long[1];
    long kib =
        PeakRss.polled(
            Tools.resolve(List.of("sh", "-c", "head -c 100000 /dev/zero; sleep 0.2")),
            in -> bytes[0] = Tools.sum(in).bytes());
    assertEquals(100_000, bytes[0]);
    assertTrue(kib > 0, "peak " + kib);
  }
}
