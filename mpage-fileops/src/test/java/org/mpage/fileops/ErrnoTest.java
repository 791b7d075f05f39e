package org.mpage.fileops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import org.junit.jupiter.api.Test;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.page.NoSpaceException;
import org.mpage.api.page.WritebackException;

/**
 * The exception to errno mapping a FUSE mount answers the kernel with, on the exceptions fs-ext2
 * and the engine throw (their reason texts as they word them), and the error line's reason from the
 * same classification.
 */
class ErrnoTest {
  private static int errno(Throwable t) {
    return Errors.errno(t);
  }

  private static FileSystemException fse(String reason) {
    return new FileSystemException("/p", null, reason);
  }

  @Test
  void typedExceptions() {
    assertEquals(2, errno(new NoSuchFileException("/p")));
    assertEquals(2, errno(new FileNotFoundException("/p")));
    assertEquals(17, errno(new FileAlreadyExistsException("/p")));
    assertEquals(39, errno(new DirectoryNotEmptyException("/p")));
    assertEquals(20, errno(new NotDirectoryException("/p")));
    assertEquals(40, errno(new FileSystemLoopException("/p")));
    assertEquals(13, errno(new AccessDeniedException("/p")));
    assertEquals(28, errno(new NoSpaceException("no free blocks left on image")));
    assertEquals(5, errno(new CorruptFilesystemException("bad block", 12, 99)));
    assertEquals(30, errno(new ReadOnlyFileSystemException()));
    assertEquals(22, errno(new IllegalArgumentException("negative position -1")));
    assertEquals(95, errno(new UnsupportedOperationException("cannot change owners")));
    assertEquals(28, errno(new WritebackException("/p", 28)));
    assertEquals(5, errno(new WritebackException("/p", 5)));
    assertEquals(5, errno(new IOException("device went away")));
    assertEquals(5, errno(new IllegalStateException("a bug")));
  }

  @Test
  void reasonTextsOfExt2() {
    assertEquals(21, errno(fse("is a directory")));
    assertEquals(30, errno(fse("read-only file system")));
    assertEquals(30, errno(new IOException("/p: read-only file system")));
    assertEquals(27, errno(fse("file too large")));
    assertEquals(27, errno(fse("file too large for a revision 0 filesystem")));
    assertEquals(31, errno(fse("too many links")));
    assertEquals(36, errno(fse("file name too long")));
    assertEquals(36, errno(fse("symlink target of 5000 bytes")));
    assertEquals(1, errno(fse("hard links to directories are not allowed")));
    assertEquals(22, errno(fse("cannot move a directory into itself")));
    assertEquals(22, errno(fse("invalid name")));
    assertEquals(22, errno(fse("not a symbolic link")));
    assertEquals(22, errno(fse("negative size")));
    assertEquals(18, errno(fse("invalid cross-device link")));
    assertEquals(5, errno(fse("something else")));
  }

  @Test
  void causesAreRead() {
    // No space anywhere in the chain wins: the engine wraps it in writeback and I/O errors.
    assertEquals(
        28, errno(new IOException("write failed", new NoSpaceException("no free inodes left"))));
    assertEquals(28, errno(new UncheckedIOException(new NoSpaceException("no free blocks"))));
    // A plain wrapper says nothing itself: its cause decides.
    assertEquals(2, errno(new IOException("wrapped", new NoSuchFileException("/p"))));
    assertEquals(
        17, errno(new PathException("/p", "file exists", new FileAlreadyExistsException("/p"))));
    assertEquals(21, errno(new PathException("/dir", "is a directory (use rm -r)", null)));
  }

  @Test
  void oneClassificationForBoth() {
    assertEquals(Errno.ENOENT.text(), Errors.reason(new NoSuchFileException("/p")));
    assertEquals(Errno.EEXIST.text(), Errors.reason(new FileAlreadyExistsException("/p")));
    assertEquals(Errno.ENOTEMPTY.text(), Errors.reason(new DirectoryNotEmptyException("/p")));
    assertEquals(Errno.ELOOP.text(), Errors.reason(new FileSystemLoopException("/p")));
    assertEquals(
        "no such image file",
        Errors.reason(new NoSuchFileException("/i", null, "no such image file")));
    assertEquals("is a directory", Errors.reason(fse("is a directory")));
  }
}
