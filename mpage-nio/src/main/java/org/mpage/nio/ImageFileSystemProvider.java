package org.mpage.nio;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mpage.api.fs.Names;

/**
 * The {@code ext2} scheme: images as {@link FileSystem}s, with URIs of the zip filesystem's form
 * ({@code ext2:file:///images/disk.img!/dir/file}). Found by {@link java.util.ServiceLoader} as an
 * installed provider, and in OSGi a service, so bundles can open images without the JDK's lookup
 * through the system class loader ({@link OsgiImageFileSystemProvider}). Operations are in {@link
 * ImageOperations}; this class maps the SPI onto them.
 */
@ServiceProvider(value = FileSystemProvider.class, resolution = Resolution.OPTIONAL)
public class ImageFileSystemProvider extends FileSystemProvider {
  static final String SCHEME = "ext2";

  /** Filesystems opened by URI, by the image's real path, as {@code getFileSystem} finds them. */
  private final Map<Path, ImageFileSystem> byImage = new HashMap<>();

  private final ImageMount.Sources sources;

  /** The installed provider: devices, engines and filesystem types from {@code ServiceLoader}. */
  public ImageFileSystemProvider() {
    this(ImageMount.SERVICE_LOADER);
  }

  ImageFileSystemProvider(ImageMount.Sources sources) {
    this.sources = sources;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  // --- opening and finding filesystems -------------------------------------------------------

  /** The image named by a URI's part before {@code !/}. */
  private static Path imageOf(URI uri) {
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("not an " + SCHEME + ": URI: " + uri);
    }
    String spec = uri.getRawSchemeSpecificPart();
    int sep = spec.indexOf("!/");
    if (sep >= 0) {
      spec = spec.substring(0, sep);
    }
    try {
      return Path.of(URI.create(spec)).toAbsolutePath();
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw new IllegalArgumentException("no image file in " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The path inside the image a URI names after its {@code !}, percent-decoded byte by byte. */
  private static String entryOf(URI uri) {
    String spec = uri.getRawSchemeSpecificPart();
    int sep = spec.indexOf("!/");
    if (sep < 0) {
      return "/";
    }
    String raw = spec.substring(sep + 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = Names.toBytes(String.valueOf(c));
        bytes.write(b, 0, b.length);
      }
    }
    return Names.fromBytes(bytes.toByteArray());
  }

  private static Path key(Path image) throws IOException {
    return image.toRealPath();
  }

  @Override
  public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
    Path image = imageOf(uri);
    ImageMount.Env e = ImageMount.Env.of(env);
    synchronized (byImage) {
      if (java.nio.file.Files.exists(image) && byImage.containsKey(key(image))) {
        throw new FileSystemAlreadyExistsException(uri.toString());
      }
      ImageFileSystem fs = open(image, e, false);
      byImage.put(key(image), fs);
      return fs;
    }
  }

  @Override
  public FileSystem newFileSystem(Path image, Map<String, ?> env) throws IOException {
    ImageFileSystem fs = open(image.toAbsolutePath(), ImageMount.Env.of(env), true);
    synchronized (byImage) {
      // Found by URI too (unlike the zip filesystem), unless one opened by URI is there already.
      byImage.putIfAbsent(key(image), fs);
    }
    return fs;
  }

  private ImageFileSystem open(Path image, ImageMount.Env env, boolean probe) throws IOException {
    return new ImageFileSystem(
        this, image, ImageMount.open(sources, image, env, probe), env.readOnly());
  }

  @Override
  public FileSystem getFileSystem(URI uri) {
    Path image = imageOf(uri);
    synchronized (byImage) {
      ImageFileSystem fs = null;
      try {
        fs = byImage.get(key(image));
      } catch (IOException e) {
        // no such image: not found below
      }
      if (fs == null) {
        throw new FileSystemNotFoundException(uri.toString());
      }
      return fs;
    }
  }

  void closed(ImageFileSystem fs) {
    synchronized (byImage) {
      byImage.values().remove(fs);
    }
  }

  @Override
  public Path getPath(URI uri) {
    return getFileSystem(uri).getPath(entryOf(uri));
  }

  // --- files and directories ---------------------------------------------------------------

  static ImagePath check(Path p) {
    if (p instanceof ImagePath ip) {
      return ip;
    }
    throw new ProviderMismatchException(
        p == null ? "null path" : p.getClass().getName() + " is not a path in an image");
  }

  static boolean followLinks(LinkOption... options) {
    for (LinkOption o : options) {
      if (o == LinkOption.NOFOLLOW_LINKS) {
        return false;
      }
    }
    return true;
  }

  @Override
  public SeekableByteChannel newByteChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    return newFileChannel(path, options, attrs);
  }

  @Override
  public FileChannel newFileChannel(
      Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
    return ImageOperations.open(check(path), options, attrs);
  }

  @Override
  public DirectoryStream<Path> newDirectoryStream(
      Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
    return ImageOperations.list(check(dir), filter);
  }

  @Override
  public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
    ImageOperations.mkdir(check(dir), attrs);
  }

  @Override
  public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs)
      throws IOException {
    if (attrs.length > 0) {
      throw new UnsupportedOperationException("symbolic links take no attributes here");
    }
    ImageOperations.symlink(check(link), check(target));
  }

  @Override
  public void createLink(Path link, Path existing) throws IOException {
    ImageOperations.link(check(link), check(existing));
  }

  @Override
  public Path readSymbolicLink(Path link) throws IOException {
    return ImageOperations.readLink(check(link));
  }

  @Override
  public void delete(Path path) throws IOException {
    ImageOperations.delete(check(path));
  }

  @Override
  public void copy(Path source, Path target, CopyOption... options) throws IOException {
    ImageOperations.copy(check(source), check(target), options);
  }

  @Override
  public void move(Path source, Path target, CopyOption... options) throws IOException {
    ImageOperations.move(check(source), check(target), options);
  }

  @Override
  public boolean isSameFile(Path path, Path path2) throws IOException {
    if (path.equals(path2)) {
      return true;
    }
    if (!(path2 instanceof ImagePath b) || b.getFileSystem() != check(path).getFileSystem()) {
      return false;
    }
    ImagePath a = check(path);
    return a.getFileSystem().stat(a, true).ino() == b.getFileSystem().stat(b, true).ino();
  }

  @Override
  public boolean isHidden(Path path) {
    Path name = check(path).getFileName();
    return name != null && name.toString().startsWith(".");
  }

  @Override
  public FileStore getFileStore(Path path) throws IOException {
    ImagePath p = check(path);
    p.getFileSystem().stat(p, true);
    return p.getFileSystem().store();
  }

  @Override
  public void checkAccess(Path path, AccessMode... modes) throws IOException {
    ImageOperations.checkAccess(check(path), modes);
  }

  // --- attributes ----------------------------------------------------------------------------

  @Override
  @SuppressWarnings("unchecked")
  public <V extends FileAttributeView> V getFileAttributeView(
      Path path, Class<V> type, LinkOption... options) {
    ImagePath p = check(path);
    String name;
    if (type == PosixFileAttributeView.class) {
      name = "posix";
    } else if (type == java.nio.file.attribute.BasicFileAttributeView.class) {
      name = "basic";
    } else if (type == FileOwnerAttributeView.class) {
      name = "owner";
    } else if (type == java.nio.file.attribute.UserDefinedFileAttributeView.class) {
      return (V) new ImageUserAttributes(p, followLinks(options));
    } else {
      return null;
    }
    return (V) new ImageAttributeViews.View(p, followLinks(options), name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <A extends BasicFileAttributes> A readAttributes(
      Path path, Class<A> type, LinkOption... options) throws IOException {
    if (type != BasicFileAttributes.class && type != PosixFileAttributes.class) {
      throw new UnsupportedOperationException(type.getName() + " is not available");
    }
    ImagePath p = check(path);
    return (A) new ImageAttributes(p.getFileSystem().stat(p, followLinks(options)));
  }

  @Override
  public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
      throws IOException {
    if (attributes.startsWith(ImageUserAttributes.NAME + ":")) {
      List<String> names = List.of(attributes.substring(5).split(",", -1));
      return new ImageUserAttributes(check(path), followLinks(options)).read(names);
    }
    ImageAttributeViews.Request r = ImageAttributeViews.Request.parse(attributes);
    ImagePath p = check(path);
    return r.select(new ImageAttributes(p.getFileSystem().stat(p, followLinks(options))));
  }

  @Override
  public void setAttribute(Path path, String attribute, Object value, LinkOption... options)
      throws IOException {
    int colon = attribute.indexOf(':');
    String view = colon < 0 ? "basic" : attribute.substring(0, colon);
    String name = attribute.substring(colon + 1);
    if (view.equals(ImageUserAttributes.NAME)) {
      new ImageUserAttributes(check(path), followLinks(options)).set(name, value);
      return;
    }
    if (!ImageAttributeViews.NAMES.contains(view)) {
      throw new UnsupportedOperationException("view '" + view + "' is not available");
    }
    new ImageAttributeViews.View(check(path), followLinks(options), view).set(name, value);
  }
}
