package org.mpage.fileops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.mpage.api.fs.FileSystem;

/**
 * {@code mkfs IMAGE SIZE|auto --from DIR|TAR|-}: a new image made and filled from a folder or a tar
 * archive in one pass, under a temporary name next to {@code IMAGE} that replaces it only once the
 * filesystem is complete and unmounted. Whatever fails (bad input, a tree larger than SIZE, a host
 * error), the temporary file is removed and an earlier image at {@code IMAGE} stays as it was.
 *
 * <p>Reproducible builds: with a SOURCE_DATE_EPOCH, every time in the image (inode times, and the
 * superblock's mkfs, mount, write and check times) is at most that epoch, and the UUID and
 * directory hash seed not given are name-based UUIDs of the epoch, so that the same tree gives the
 * same bytes. The front-end makes and mounts the filesystem ({@link Formatter}); this class does
 * the rest.
 */
public final class ImageBuild {
  private ImageBuild() {}

  /**
   * What to build.
   *
   * @param size the image's size in bytes, or -1 for the smallest that holds the tree ({@link
   *     TreeSize})
   * @param uuid the filesystem UUID, or null (random; from the epoch if there is one)
   * @param hashSeed the directory hash seed as a UUID, or null (as the UUID)
   * @param label the volume label, or null
   * @param sourceDateEpoch SOURCE_DATE_EPOCH in seconds, or -1
   */
  public record Options(
      long size, int blockSize, String uuid, String label, String hashSeed, long sourceDateEpoch) {}

  /** What a build made. */
  public record Result(long imageBytes, long files, long directories, long fileBytes) {}

  /** A filesystem the front-end made and mounted read-write; closing syncs and unmounts it. */
  public interface Mount extends AutoCloseable {
    FileSystem fileSystem();

    @Override
    void close() throws IOException;
  }

  /** How the front-end makes a filesystem (it owns the devices and the engine). */
  @FunctionalInterface
  public interface Formatter {
    /**
     * Creates {@code file} as a sparse file of {@code size} bytes, formats it with {@code
     * formatOptions} (the filesystem type's format options: block.size, uuid, hash.seed, label,
     * time) and mounts it read-write with {@code mountOptions} (time).
     */
    Mount format(
        Path file, long size, Map<String, String> formatOptions, Map<String, String> mountOptions)
        throws IOException;
  }

  /** The UUID of a reproducible build: a name-based UUID of what and the epoch. */
  public static String epochUuid(String what, long epoch) {
    return UUID.nameUUIDFromBytes(
            ("mpage mkfs " + what + " " + epoch).getBytes(StandardCharsets.US_ASCII))
        .toString();
  }

  /**
   * Builds {@code image} from {@code from} (a folder or a tar file, plain or gzip), or from a tar
   * on {@code stdin} when {@code from} is null.
   */
  public static Result build(
      Path image,
      Path from,
      InputStream stdin,
      Options o,
      Formatter formatter,
      Progress.Factory progress)
      throws IOException {
    Path dir = image.toAbsolutePath().getParent();
    Path tmp = sibling(dir, image, "tmp");
    Path spool = null;
    boolean done = false;
    try {
      // a symbolic link to the folder is the folder: the tree starts at what it names
      boolean folder = from != null && Files.isDirectory(from);
      Path real = folder ? Errors.local(from, from::toRealPath) : null;
      Set<Path> exclude = folder ? excluded(dir, image, tmp) : Set.of();
      Source source;
      if (from == null) {
        if (o.size() < 0) {
          // auto reads the tree twice: standard input once, into a file beside the image
          spool = sibling(dir, image, "stdin");
          Path s = spool;
          Errors.local(s, () -> Files.copy(stdin, s));
          source = () -> tarFile(s, "-");
        } else {
          source = () -> new TarSource(stdin, "-", 0);
        }
      } else if (folder) {
        source = () -> new FolderSource(real, 0, exclude);
      } else if (Files.isRegularFile(from)) {
        source = () -> tarFile(from, from.toString());
      } else {
        throw new PathException(
            from.toString(),
            Files.exists(from) ? "not a folder or a tar file" : "no such file or folder",
            null);
      }
      int bs = o.blockSize();
      long size = o.size();
      long total = 0;
      // a folder is counted for its progress bar too (metadata only; a tar's size is its bytes)
      if (size < 0 || folder) {
        TreeSize.Needs needs;
        try (TreeSource s = source.open()) {
          needs = TreeSize.of(s, bs);
        }
        total = needs.fileBytes();
        if (size < 0) {
          size = TreeSize.imageBytes(needs, bs);
        }
      }
      long fileTotal = total;
      Source counted = folder ? () -> new FolderSource(real, fileTotal, exclude) : source;
      TreeBuilder.Summary summary;
      long epoch = o.sourceDateEpoch();
      try (Mount m = format(formatter, tmp, size, o, image);
          TreeSource s = counted.open()) {
        TreeBuilder b = new TreeBuilder(m.fileSystem(), epoch);
        summary = b.build(s, progress.start("mkfs " + image, s.totalBytes()));
      } catch (PathException e) {
        if (Errors.isFatal(e)) {
          throw new PathException(
              image.toString(),
              "the tree does not fit in "
                  + size
                  + " bytes ("
                  + e.path()
                  + ": "
                  + e.reason()
                  + "); a larger SIZE, or auto, makes room",
              e);
        }
        throw e;
      } catch (IOException e) {
        // the final sync and unmount of the new image (closing the mount) failed
        throw new PathException(image.toString(), Errors.reason(e), e);
      }
      Errors.local(
          image,
          () ->
              Files.move(
                  tmp, image, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE));
      done = true;
      return new Result(size, summary.files(), summary.directories(), summary.bytes());
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
      if (spool != null) {
        Files.deleteIfExists(spool);
      }
    }
  }

  private static Mount format(Formatter formatter, Path tmp, long size, Options o, Path image)
      throws IOException {
    Map<String, String> format = new HashMap<>();
    Map<String, String> mount = new HashMap<>();
    format.put("block.size", Integer.toString(o.blockSize()));
    long epoch = o.sourceDateEpoch();
    String uuid = o.uuid() != null ? o.uuid() : epoch >= 0 ? epochUuid("uuid", epoch) : null;
    String seed =
        o.hashSeed() != null ? o.hashSeed() : epoch >= 0 ? epochUuid("hash_seed", epoch) : null;
    if (uuid != null) {
      format.put("uuid", uuid);
    }
    if (seed != null) {
      format.put("hash.seed", seed);
    }
    if (o.label() != null) {
      format.put("label", o.label());
    }
    if (epoch >= 0) {
      format.put("time", Long.toString(epoch));
      mount.put("time", Long.toString(epoch));
    }
    try {
      return formatter.format(tmp, size, format, mount);
    } catch (IllegalArgumentException e) {
      throw new PathException(image.toString(), e.getMessage(), e);
    } catch (PathException e) {
      throw e;
    } catch (IOException e) {
      throw new PathException(image.toString(), Errors.reason(e), e);
    }
  }

  /** The image and its temporary file as real paths, for a folder source to leave out. */
  private static Set<Path> excluded(Path dir, Path image, Path tmp) throws IOException {
    Path realDir = Errors.local(dir, dir::toRealPath);
    return Set.of(realDir.resolve(image.getFileName()), realDir.resolve(tmp.getFileName()));
  }

  private static TreeSource tarFile(Path tar, String name) throws IOException {
    InputStream in = Errors.local(tar, () -> Files.newInputStream(tar));
    try {
      return new TarSource(in, name, Files.size(tar));
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** A name beside the image that nothing has, starting with a dot. */
  private static Path sibling(Path dir, Path image, String what) {
    return dir.resolve(
        String.format(
            ".%s.mpage-%s-%08x", image.getFileName(), what, ThreadLocalRandom.current().nextInt()));
  }

  /** Opens the tree, once for {@code auto}'s count and once for the build. */
  @FunctionalInterface
  private interface Source {
    TreeSource open() throws IOException;
  }
}
