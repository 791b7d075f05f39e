package org.mpage.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mpage.api.blockmap.BlockMapProvider;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * ext4's extent trees come from their own bundle, as a {@code BlockMapProvider} service with {@code
 * mpage.blockmap.scheme=ext4-extents}: an ext4 image mounted through the framework reads its files
 * through it; stopping the bundle makes the next read of an extent-mapped file fail at once (not
 * hang) and a new mount be refused naming the scheme; starting it again serves the same mount.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class BlockMapProviderIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  @Test
  public void stoppingTheExtentBundleFailsReadsAtOnceAndStartingItServesThemAgain()
      throws Exception {
    Collection<ServiceReference<BlockMapProvider>> refs = extentProviders();
    assertEquals("one ext4-extents provider: " + refs, 1, refs.size());
    Bundle extents = refs.iterator().next().getBundle();
    assertEquals("org.mpage.fs.ext4.extents", extents.getSymbolicName());

    Path work = Files.createTempDirectory("mpage-blockmap-it");
    Path src = Files.createDirectories(work.resolve("src"));
    Random rnd = new Random(16);
    byte[] one = new byte[300_000];
    byte[] two = new byte[200_000];
    rnd.nextBytes(one);
    rnd.nextBytes(two);
    Files.write(src.resolve("one"), one);
    Files.write(src.resolve("two"), two);
    Path image = work.resolve("ext4.img");
    E2fsprogs.run(
        "mke2fs", "-q", "-F", "-t", "ext4", "-d", src.toString(), image.toString(), "16M");

    FileSystemProvider nio =
        context.getService(
            context
                .getServiceReferences(FileSystemProvider.class, "(scheme=ext2)")
                .iterator()
                .next());
    try (FileSystem fs = nio.newFileSystem(image, Map.of("readOnly", true))) {
      assertArrayEquals(one, Files.readAllBytes(fs.getPath("/one")));

      extents.stop();
      long start = System.nanoTime();
      try {
        Files.readAllBytes(fs.getPath("/two"));
        fail("read an extent-mapped file without the extent bundle");
      } catch (IOException e) {
        assertTrue("names the scheme: " + e, String.valueOf(e).contains("ext4-extents"));
      }
      assertTrue("failed at once", System.nanoTime() - start < 5_000_000_000L);
      try (FileSystem again = nio.newFileSystem(image, Map.of("readOnly", true))) {
        fail("mounted an extent image without the extent bundle");
      } catch (IOException e) {
        assertTrue("names the scheme: " + e, String.valueOf(e).contains("ext4-extents"));
      }

      extents.start();
      Await.until("the extent provider back", () -> providers() == 1);
      assertTrue(Arrays.equals(two, Files.readAllBytes(fs.getPath("/two"))));
    }
  }

  private Collection<ServiceReference<BlockMapProvider>> extentProviders() {
    try {
      return context.getServiceReferences(
          BlockMapProvider.class, "(" + BlockMapProvider.SCHEME + "=ext4-extents)");
    } catch (org.osgi.framework.InvalidSyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private int providers() {
    return extentProviders().size();
  }
}
