package org.mpage.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.api.block.BlockDevice;
import org.mpage.api.blockmap.BlockMapProvider;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.MountOptions;
import org.mpage.api.fs.UnsupportedFeatureException;
import org.mpage.core.MpageEngine;
import org.mpage.device.file.FileDevice;
import org.mpage.device.file.FileDeviceConfig;
import org.mpage.fs.ext4.extents.ExtentMapProvider;

/**
 * The extent scheme as a provider in a registry like the one Declarative Services fills: with it an
 * ext4 image reads; without it a mount is refused naming the scheme; a provider that leaves makes
 * the mount's extent-mapped reads fail at once, and one that comes back serves them again. (itests'
 * BlockMapProviderIT stops and starts the real bundle in Felix.)
 */
class Ext2BlockMapProviderTest {
  @TempDir static Path work;
  static Path image;
  static byte[] one;
  static byte[] two;

  @BeforeAll
  static void makeImage() throws Exception {
    Path src = Files.createDirectory(work.resolve("src"));
    Random rnd = new Random(16);
    one = new byte[300_000];
    two = new byte[200_000];
    rnd.nextBytes(one);
    rnd.nextBytes(two);
    Files.write(src.resolve("one"), one);
    Files.write(src.resolve("two"), two);
    image = E2fs.mkfsExt4(work.resolve("ext4.img"), "16M", src);
  }

  @Test
  void theBoundProviderMapsExtentsAndItsDepartureFailsReadsAtOnce() throws Exception {
    BlockMaps maps = new BlockMaps(); // what DS binds to the type, without the framework
    BlockMapProvider extents = new ExtentMapProvider();
    maps.add(extents);
    try (MpageEngine engine = new MpageEngine(MpageEngine.Config.defaults());
        BlockDevice dev = FileDevice.open(FileDeviceConfig.of("img", image).withReadOnly(true));
        FileSystem fs =
            Ext2Super.mount(dev, engine, new MountOptions(true, java.util.Map.of()), maps)) {
      assertArrayEquals(one, Ext2ReadTest.readAll(fs, "/one"));

      maps.remove(extents);
      IOException gone =
          assertTimeoutPreemptively(
              Duration.ofSeconds(5),
              () -> assertThrows(IOException.class, () -> Ext2ReadTest.readAll(fs, "/two")));
      assertTrue(
          String.valueOf(gone.getMessage()).contains("ext4-extents")
              || String.valueOf(gone.getCause()).contains("ext4-extents"),
          "the error names the scheme: " + gone);

      maps.add(new ExtentMapProvider()); // another instance: opened anew
      assertArrayEquals(two, Ext2ReadTest.readAll(fs, "/two"));
    }
  }

  @Test
  void withoutAProviderAnExtentImageIsRefusedNamingTheScheme() throws Exception {
    try (MpageEngine engine = new MpageEngine(MpageEngine.Config.defaults());
        BlockDevice dev = FileDevice.open(FileDeviceConfig.of("img", image).withReadOnly(true))) {
      UnsupportedFeatureException e =
          assertThrows(
              UnsupportedFeatureException.class,
              () ->
                  Ext2Super.mount(
                      dev, engine, new MountOptions(true, java.util.Map.of()), new BlockMaps()));
      assertTrue(e.getMessage().contains("ext4-extents"), e.getMessage());
    }
  }

  @Test
  void outsideOsgiServiceLoaderFindsTheProvider() {
    assertTrue(BlockMaps.serviceLoaded().schemes().contains(ExtentMapProvider.SCHEME_NAME));
  }
}
