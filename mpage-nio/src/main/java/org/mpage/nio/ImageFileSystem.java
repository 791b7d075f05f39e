package org.mpage.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;

/**
 * One mounted image as a {@link FileSystem}. Calls run under a read lock so that {@link #close}
 * (which syncs and unmounts) waits for the ones in progress and refuses later ones; the mounted
 * filesystem does its own locking between calls.
 */
final class ImageFileSystem extends FileSystem {
  private static final int MAX_SYMLINKS = 40;

  private final ImageFileSystemProvider provider;
  private final Path image;
  private final ImageMount mount;
  private final boolean readOnly;
  private final ImagePath root;
  private final ImageFileStore store;
  private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final java.util.concurrent.locks.Lock namespace =
      new java.util.concurrent.locks.ReentrantLock();
  private final Set<ImageFileChannel> channels = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean open = true;

  ImageFileSystem(
      ImageFileSystemProvider provider, Path image, ImageMount mount, boolean readOnly) {
    this.provider = provider;
    this.image = image;
    this.mount = mount;
    this.readOnly = readOnly;
    this.root = new ImagePath(this, "/");
    this.store = new ImageFileStore(this);
  }

  org.mpage.api.fs.FileSystem api() {
    return mount.fs();
  }

  Path image() {
    return image;
  }

  URI imageUri() {
    return image.toUri();
  }

  ImagePath root() {
    return root;
  }

  /** An operation on the mounted filesystem, refused once closed. */
  interface Op<T> {
    T run(org.mpage.api.fs.FileSystem fs) throws IOException;
  }

  <T> T call(Op<T> op) throws IOException {
    try {
      return callRaw(op);
    } catch (java.nio.file.NotDirectoryException e) {
      // The JDK reports ENOTDIR as a plain FileSystemException, except when listing a directory.
      throw new FileSystemException(e.getFile(), e.getOtherFile(), "not a directory");
    } catch (java.nio.file.FileSystemLoopException e) {
      // ELOOP too: FileSystemLoopException is only what Files.walkFileTree reports.
      throw new FileSystemException(e.getFile(), null, "too many levels of symbolic links");
    }
  }

  /** Like {@link #call}, with the mounted filesystem's exceptions as they are. */
  <T> T callRaw(Op<T> op) throws IOException {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      return op.run(mount.fs());
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Like {@link #call}, for an operation that changes the image. */
  <T> T change(Op<T> op) throws IOException {
    if (readOnly) {
      throw new ReadOnlyFileSystemException();
    }
    return call(op);
  }

  /**
   * Like {@link #call}, holding the namespace lock: for a check followed by a change that must see
   * no other change of this filesystem in between.
   */
  <T> T exclusive(Op<T> op) throws IOException {
    namespace.lock();
    try {
      return call(op);
    } finally {
      namespace.unlock();
    }
  }

  /** Remembers an open channel, so that closing the filesystem closes it. */
  ImageFileChannel track(ImageFileChannel channel) {
    channels.add(channel);
    return channel;
  }

  void untrack(ImageFileChannel channel) {
    channels.remove(channel);
  }

  void ensureOpen() {
    if (!open) {
      throw new ClosedFileSystemException();
    }
  }

  /** The views of {@link ImageAttributeViews} and the {@code user} view. */
  private static final Set<String> ALL_VIEWS =
      Set.of("basic", "owner", "posix", "unix", ImageUserAttributes.NAME);

  FileStat stat(ImagePath p, boolean follow) throws IOException {
    String path = p.apiPath();
    return call(fs -> follow ? fs.stat(path) : fs.lstat(path));
  }

  /** The stat, or null when nothing is there. */
  FileStat statIfExists(ImagePath p, boolean follow) throws IOException {
    try {
      return stat(p, follow);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * The absolute path with every symbolic link resolved (the final one only if {@code follow}),
   * {@code .} and {@code ..} taken as the directories say; the file must exist.
   */
  ImagePath realPath(ImagePath p, boolean follow) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    for (Path name : p.toAbsolutePath()) {
      todo.addLast(name.toString());
    }
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        done.pollLast();
        continue;
      }
      done.addLast(name);
      ImagePath here = new ImagePath(this, "/" + String.join("/", done));
      FileStat st = stat(here, false);
      if (st.type() == FileType.SYMLINK && (follow || !todo.isEmpty())) {
        if (++links > MAX_SYMLINKS) {
          throw new FileSystemException(p.toString(), null, "too many levels of symbolic links");
        }
        String target = call(fs -> fs.readLink(here.apiPath()));
        done.pollLast();
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> names = List.of(target.split("/"));
        for (int i = names.size() - 1; i >= 0; i--) {
          if (!names.get(i).isEmpty()) {
            todo.addFirst(names.get(i));
          }
        }
      } else if (st.type() != FileType.DIRECTORY && !todo.isEmpty()) {
        throw new FileSystemException(here.toString(), null, "not a directory");
      }
    }
    return new ImagePath(this, "/" + String.join("/", done));
  }

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() throws IOException {
    lifecycle.writeLock().lock();
    try {
      if (!open) {
        return;
      }
      open = false;
      provider.closed(this);
      for (ImageFileChannel ch : List.copyOf(channels)) {
        try {
          ch.close();
        } catch (IOException e) {
          // the unmount below syncs what it wrote; a handle that fails to close loses nothing
        }
      }
      mount.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    return List.of(root);
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return List.of(store);
  }

  FileStore store() {
    return store;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return ALL_VIEWS;
  }

  @Override
  public Path getPath(String first, String... more) {
    if (more.length == 0) {
      return new ImagePath(this, first);
    }
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(m);
      }
    }
    return new ImagePath(this, sb.toString());
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    int colon = syntaxAndPattern.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected syntax:pattern, got " + syntaxAndPattern);
    }
    String syntax = syntaxAndPattern.substring(0, colon);
    String pattern = syntaxAndPattern.substring(colon + 1);
    Pattern regex;
    if (syntax.equalsIgnoreCase("glob")) {
      regex = Pattern.compile(Globs.toRegex(pattern));
    } else if (syntax.equalsIgnoreCase("regex")) {
      regex = Pattern.compile(pattern);
    } else {
      throw new UnsupportedOperationException("syntax '" + syntax + "' is not supported");
    }
    return path -> regex.matcher(path.toString()).matches();
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return Principals.LOOKUP;
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("images have no watch service");
  }

  /** A file system exception naming the path as the caller gave it. */
  static FileSystemException error(Path p, String reason) {
    return new FileSystemException(p.toString(), null, reason);
  }

  @Override
  public String toString() {
    return image.toString();
  }
}
