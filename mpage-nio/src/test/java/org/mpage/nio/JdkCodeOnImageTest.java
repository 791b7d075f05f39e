package org.mpage.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/** Unmodified JDK code on an image: tree copies, a class loader, text lines; the lifecycle. */
class JdkCodeOnImageTest {
  @TempDir Path work;

  /** {@code Files.walkFileTree} copying {@code from} into {@code to}, across providers. */
  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path target = to.resolve(from.relativize(dir).toString());
            if (!Files.exists(target)) {
              Files.createDirectory(target);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.copy(
                file,
                to.resolve(from.relativize(file).toString()),
                StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  @Test
  void aTreeOfTwoThousandFilesCopiedInAndOutIsUnchanged() throws Exception {
    long seed = Long.getLong("mpage.seed", System.nanoTime());
    System.out.println("JdkCodeOnImageTest seed: -Dmpage.seed=" + seed);
    Random r = new Random(seed);
    Path src = Files.createDirectory(work.resolve("src"));
    for (int i = 0; i < 2000; i++) {
      Path dir = src.resolve("d" + (i % 37)).resolve("e" + (i % 5));
      Files.createDirectories(dir);
      byte[] data = new byte[1 + r.nextInt(i % 100 == 0 ? 300_000 : 20_000)];
      r.nextBytes(data);
      Files.write(dir.resolve("f" + i), data);
    }
    Path image = Images.mkfs(work.resolve("t.img"), "256M", null);
    try (FileSystem fs = Images.open(image)) {
      copyTree(src, fs.getPath("/"));
    }
    Images.fsck(image);
    Path back = Files.createDirectory(work.resolve("back"));
    try (FileSystem fs = FileSystems.newFileSystem(image, Map.of("readOnly", true))) {
      copyTree(fs.getPath("/"), back);
    }
    Files.delete(back.resolve("lost+found"));
    assertEquals(NioDifferentialTest.tree(src), NioDifferentialTest.tree(back), "seed " + seed);
    Path dumped = Files.createDirectory(work.resolve("rdump"));
    E2fs.debugfs(image, false, "rdump / " + dumped);
    assertEquals(NioDifferentialTest.tree(src), NioDifferentialTest.tree(dumped), "seed " + seed);
  }

  @Test
  void aClassLoaderLoadsFromAJarInTheImage() throws Exception {
    Path image = Images.mkfs(work.resolve("j.img"), "8M", null);
    String className = JdkCodeOnImageTest.class.getName();
    String entry = className.replace('.', '/') + ".class";
    try (FileSystem fs = Images.open(image)) {
      Path jar = fs.getPath("/lib/test.jar");
      Files.createDirectory(jar.getParent());
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
          var in = JdkCodeOnImageTest.class.getResourceAsStream("/" + entry)) {
        out.putNextEntry(new JarEntry(entry));
        in.transferTo(out);
      }
      // The zip filesystem over a jar stored in an image: one provider over another.
      try (FileSystem zip = FileSystems.newFileSystem(jar)) {
        assertTrue(Files.exists(zip.getPath(entry)));
      }
      Path host = Files.copy(jar, work.resolve("copy.jar"));
      try (URLClassLoader loader = new URLClassLoader(new URL[] {host.toUri().toURL()}, null)) {
        assertEquals(className, loader.loadClass(className).getName());
      }
    }
  }

  @Test
  void textLinesAndLookupByUri() throws Exception {
    Path image = Images.mkfs(work.resolve("u.img"), "8M", null);
    URI uri = URI.create("ext2:" + image.toUri());
    try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
      assertThrows(
          FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(uri, Map.of()));
      Files.write(fs.getPath("/notes.txt"), List.of("one", "two", "three"));
      Path byUri = Path.of(URI.create(uri + "!/notes.txt"));
      assertEquals(fs.getPath("/notes.txt"), byUri);
      try (Stream<String> lines = Files.lines(byUri)) {
        assertEquals(List.of("one", "two", "three"), lines.toList());
      }
      assertEquals(fs, FileSystems.getFileSystem(uri));
    }
    assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(uri));
    Images.fsck(image);
  }

  @Test
  void theProviderIsInstalledAndTheLifecycleIsTheJdks() throws Exception {
    assertTrue(
        FileSystemProvider.installedProviders().stream()
            .anyMatch(p -> p.getScheme().equals("ext2")));
    Path image = work.resolve("new.img");
    // A new image by URI: by path, the JDK would offer "create" to the zip filesystem too.
    FileSystem fs =
        FileSystems.newFileSystem(
            URI.create("ext2:" + image.toUri()),
            Map.of("create", "true", "size", 16L << 20, "blockSize", 1024));
    Path f = fs.getPath("/a");
    Files.writeString(f, "x");
    FileStore store = Files.getFileStore(f);
    assertEquals(1024, store.getBlockSize());
    assertEquals(16L << 20, store.getTotalSpace());
    assertTrue(store.getUnallocatedSpace() > 0 && store.getUnallocatedSpace() < 16L << 20);
    fs.close();
    assertThrows(ClosedFileSystemException.class, () -> Files.readString(f));
    Images.fsck(image);
    try (FileSystem ro = FileSystems.newFileSystem(image, Map.of("readOnly", true))) {
      assertEquals("x", Files.readString(ro.getPath("/a")));
      assertThrows(
          ReadOnlyFileSystemException.class, () -> Files.writeString(ro.getPath("/b"), "y"));
      assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(ro.getPath("/a")));
    }
  }
}
