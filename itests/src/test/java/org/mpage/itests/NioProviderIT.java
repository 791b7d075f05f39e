package org.mpage.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The {@code java.nio.file} provider as a bundle sees it: a {@code FileSystemProvider} service with
 * {@code scheme=ext2}, whose filesystems mount through the framework's engine and filesystem type
 * services; what is written through it is there for debugfs and e2fsck after close.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class NioProviderIT {
  @Inject BundleContext context;

  @Configuration
  public Option[] config() {
    return Framework.options();
  }

  @Test
  public void aBundleOpensAnImageThroughTheProviderService() throws Exception {
    Collection<ServiceReference<FileSystemProvider>> refs =
        context.getServiceReferences(FileSystemProvider.class, "(scheme=ext2)");
    assertEquals("one ext2 provider service: " + refs, 1, refs.size());
    FileSystemProvider provider = context.getService(refs.iterator().next());
    assertEquals("ext2", provider.getScheme());

    Path work = Files.createTempDirectory("mpage-nio-it");
    Path src = Files.createDirectories(work.resolve("src"));
    Files.writeString(src.resolve("hello.txt"), "made by mke2fs\n");
    Path image = E2fsprogs.mkfs(work.resolve("disk.img"), "16M", src);
    try (FileSystem fs = provider.newFileSystem(image, Map.of())) {
      assertEquals("made by mke2fs\n", Files.readString(fs.getPath("/hello.txt")));
      Files.createDirectory(fs.getPath("/d"));
      Files.write(fs.getPath("/d/lines.txt"), List.of("one", "two"));
      assertTrue(Files.isDirectory(fs.getPath("/d")));
    }
    E2fsprogs.fsck(image);
    assertTrue(
        E2fsprogs.run("debugfs", "-R", "cat /d/lines.txt", image.toString())
            .contains("one\ntwo\n"));
    // A second mount by URI, after the first was closed and its device forgotten.
    try (FileSystem fs =
        provider.newFileSystem(URI.create("ext2:" + image.toUri()), Map.of("readOnly", true))) {
      assertEquals(List.of("one", "two"), Files.readAllLines(fs.getPath("/d/lines.txt")));
    }
  }
}
