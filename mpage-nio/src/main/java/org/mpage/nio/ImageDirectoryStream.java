package org.mpage.nio;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.mpage.api.fs.DirEntry;

/**
 * The entries of a directory, read when the stream is opened (so a concurrent change does not break
 * the iteration), without {@code .} and {@code ..}, filtered as the caller asks.
 */
final class ImageDirectoryStream implements DirectoryStream<Path> {
  private final ImagePath dir;
  private final List<DirEntry> entries;
  private final Filter<? super Path> filter;
  private boolean iterated;
  private volatile boolean closed;

  ImageDirectoryStream(ImagePath dir, List<DirEntry> entries, Filter<? super Path> filter) {
    this.dir = dir;
    this.entries = entries;
    this.filter = filter;
  }

  @Override
  public synchronized Iterator<Path> iterator() {
    if (closed) {
      throw new IllegalStateException("directory stream closed");
    }
    if (iterated) {
      throw new IllegalStateException("iterator already obtained");
    }
    iterated = true;
    Iterator<DirEntry> it = entries.iterator();
    return new Iterator<>() {
      private Path next;

      @Override
      public boolean hasNext() {
        while (next == null && !closed && it.hasNext()) {
          DirEntry e = it.next();
          if (e.name().equals(".") || e.name().equals("..")) {
            continue;
          }
          Path p = dir.resolve(new ImagePath(dir.getFileSystem(), e.name()));
          try {
            if (filter == null || filter.accept(p)) {
              next = p;
            }
          } catch (IOException ex) {
            throw new DirectoryIteratorException(ex);
          }
        }
        return next != null;
      }

      @Override
      public Path next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Path p = next;
        next = null;
        return p;
      }
    };
  }

  @Override
  public void close() {
    closed = true;
  }
}
