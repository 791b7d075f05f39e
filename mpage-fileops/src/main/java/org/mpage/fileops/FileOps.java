package org.mpage.fileops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileSystem;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.Names;

/**
 * The file operations of every front-end on one mounted {@link FileSystem}: what {@code ls}, {@code
 * cat}, {@code stat}, {@code info}, {@code get}, {@code put}, {@code write}, {@code mkdir}, {@code
 * rm}, {@code mv}, {@code ln} and {@code truncate} do, whatever parsed the request.
 *
 * <p>An error that ends an operation is thrown as a {@link PathException} naming the image or host
 * path it is about ({@link Errors#line(IOException)} is its line); an entry of a recursive
 * operation that fails is given to the {@link Reporter} and the walk goes on. Copies report their
 * progress to the {@link Progress.Factory}. One instance serves one caller at a time (it reuses one
 * 1 MiB copy buffer); it does not sync or unmount the filesystem.
 */
public final class FileOps {
  /** How much one splice call of {@link #cat} moves before progress is drawn again. */
  static final long SPLICE_CHUNK = 8L << 20;

  private final FileSystem fs;
  private final Reporter reporter;
  private final Progress.Factory progress;

  /**
   * One 1 MiB direct buffer for every copy: allocating one per file made a recursive copy of small
   * files wait on the JVM's direct-memory reclamation (System.gc and back-off sleeps), ten times
   * slower than debugfs.
   */
  private ByteBuffer ioBuffer;

  public FileOps(FileSystem fs, Reporter reporter, Progress.Factory progress) {
    this.fs = fs;
    this.reporter = reporter;
    this.progress = progress;
  }

  public FileSystem fileSystem() {
    return fs;
  }

  Reporter reporter() {
    return reporter;
  }

  Progress progress(String label, long total) {
    return progress.start(label, total);
  }

  ByteBuffer ioBuffer() {
    if (ioBuffer == null) {
      ioBuffer = ByteBuffer.allocateDirect(1 << 20);
    }
    return ioBuffer.clear();
  }

  // ---- reading ----

  /** What a listing line shows before the name. */
  public enum Listing {
    /** The name only ({@code ls}). */
    NAMES,
    /** The type letter and the size ({@link Formats#sizeListing}): the Gogo shell's {@code ls}. */
    SIZES,
    /** The {@link Formats#longListing} columns ({@code ls -l}). */
    LONG
  }

  /** The superblock summary ({@link Formats#info}). */
  public void info(PrintStream out) throws IOException {
    out.print(Formats.info(fs.info()));
  }

  /**
   * The names in directory {@code path} (or the name of a file), one a line; with {@code
   * longFormat} each after its {@link Formats#longListing} columns, a symlink followed by {@code
   * ->} and its target. Names are written escaped ({@link Escape#name}) when {@code escapeNames},
   * as {@code ls} does on a terminal, else as their exact bytes. An entry that cannot be read is
   * reported and the others listed.
   */
  public void list(String path, boolean longFormat, PrintStream out, boolean escapeNames)
      throws IOException {
    list(path, longFormat ? Listing.LONG : Listing.NAMES, out, escapeNames);
  }

  /**
   * As {@link #list(String, boolean, PrintStream, boolean)}, each name after the columns of {@code
   * style} (entries are not followed if symlinks, as with {@code ls -l}).
   */
  public void list(String path, Listing style, PrintStream out, boolean escapeNames)
      throws IOException {
    FileStat st = Errors.guarded(path, () -> fs.stat(path));
    if (st.type() != FileType.DIRECTORY) {
      printEntry(path, lastName(path), style, out, escapeNames);
      return;
    }
    for (DirEntry e : Errors.guarded(path, () -> fs.list(path))) {
      try {
        printEntry(child(path, e.name()), e.name(), style, out, escapeNames);
      } catch (PathException bad) {
        // one unreadable entry (a corrupt inode) does not hide the others, as with ls
        reporter.failed(bad.path(), bad.reason());
      }
    }
  }

  private void printEntry(String path, String name, Listing style, PrintStream out, boolean escape)
      throws IOException {
    if (style == Listing.NAMES) {
      printName(out, name, "\n", escape);
      return;
    }
    FileStat st = Errors.guarded(path, () -> fs.lstat(path));
    if (style == Listing.SIZES) {
      out.print(Formats.sizeListing(st));
      printName(out, name, "\n", escape);
      return;
    }
    out.print(Formats.longListing(st));
    if (st.type() == FileType.SYMLINK) {
      printName(out, name, " -> ", escape);
      printName(out, Errors.guarded(path, () -> fs.readLink(path)), "\n", escape);
    } else {
      printName(out, name, "\n", escape);
    }
  }

  private static void printName(PrintStream out, String name, String after, boolean escape) {
    if (escape) {
      out.print(Escape.name(name));
    } else {
      byte[] bytes = Names.toBytes(name);
      out.write(bytes, 0, bytes.length);
    }
    out.print(after);
  }

  /**
   * The file's bytes (symlinks followed) spliced from the page cache into {@code sink}. A failure
   * to write names {@code sinkName}; a reader that went away is a {@link BrokenPipeException}.
   * Returns the number of bytes written.
   */
  public long cat(String path, WritableByteChannel sink, String sinkName) throws IOException {
    try (FileHandle f = Errors.guarded(path, () -> fs.open(path))) {
      HostChannel host = new HostChannel(sink);
      long pos = 0;
      long size = f.size();
      Progress bar = progress("cat " + path, size);
      while (pos < size) {
        long at = pos;
        long n;
        try {
          n = Errors.guarded(path, () -> f.transferTo(at, SPLICE_CHUNK, host));
        } catch (PathException e) {
          if (e.getCause() instanceof HostChannel.Failed failed) {
            IOException why = BrokenPipeException.orElse(failed.reason());
            throw why instanceof BrokenPipeException
                ? why
                : new PathException(sinkName, Errors.reason(why), why);
          }
          throw e;
        }
        if (n <= 0) {
          break;
        }
        pos += n;
        bar.update(pos);
      }
      bar.finish();
      return pos;
    }
  }

  /** As {@link #cat(String, WritableByteChannel, String)} into a stream (not flushed). */
  public long cat(String path, OutputStream out, String sinkName) throws IOException {
    return cat(path, Channels.newChannel(out), sinkName);
  }

  /** What {@code stat} prints ({@link Formats#stat}); symlinks are not followed. */
  public void stat(String path, PrintStream out) throws IOException {
    FileStat st = Errors.guarded(path, () -> fs.lstat(path));
    String target =
        st.type() == FileType.SYMLINK ? Errors.guarded(path, () -> fs.readLink(path)) : null;
    out.print(Formats.stat(path, st, target));
  }

  /** The short {@code stat} ({@link Formats#statSummary}); symlinks are not followed. */
  public void statSummary(String path, PrintStream out) throws IOException {
    out.print(Formats.statSummary(path, Errors.guarded(path, () -> fs.lstat(path))));
  }

  /**
   * Copies {@code path} out to the host, as {@code cp -a} would: into {@code local}, or into a new
   * entry of that name when {@code local} is a host folder. A directory needs {@code recursive}.
   * Symlinks stay symlinks, holes stay holes. Returns the host path copied to.
   */
  public Path get(String path, Path local, boolean recursive) throws IOException {
    FileStat st = Errors.guarded(path, () -> fs.lstat(path));
    Path target = local;
    if (Files.isDirectory(local) && !path.equals("/")) {
      try {
        target = HostNames.child(local, lastName(path));
      } catch (IllegalArgumentException e) {
        throw new PathException(path, e.getMessage(), e);
      }
    }
    if (st.type() == FileType.DIRECTORY && !recursive) {
      throw new PathException(path, "is a directory (use get -r)", null);
    }
    new CopyOut(this).copy(path, st, target);
    return target;
  }

  // ---- writing ----

  /**
   * Copies host file or folder {@code local} in, to {@code path} or into it when it is a directory.
   * A folder needs {@code recursive}. Each file is written under a temporary name and renamed over
   * the target when complete. The caller syncs the filesystem. Returns the image path copied to.
   */
  public String put(Path local, String path, boolean recursive) throws IOException {
    return put(local, path, recursive, PutOptions.KEEP);
  }

  /**
   * What {@code put} gives the copies: the source's owners, mode and times unless told otherwise
   * ({@code install -o/-g/-m}).
   *
   * @param uid the owner of every copy, or -1 for the source's
   * @param gid the group of every copy, or -1 for the source's
   * @param mode the permission bits (07777) of every copy but directories, or -1 for the source's
   */
  public record PutOptions(long uid, long gid, int mode) {
    /** Everything as the source has it. */
    public static final PutOptions KEEP = new PutOptions(-1, -1, -1);
  }

  /**
   * As {@link #put(Path, String, boolean)}, with owners and mode from {@code options}; a copy keeps
   * its source's access and modification times, and its owners where the host gives them.
   */
  public String put(Path local, String path, boolean recursive, PutOptions options)
      throws IOException {
    if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
      throw new PathException(local.toString(), "no such file or directory", null);
    }
    boolean localDir = Files.isDirectory(local, LinkOption.NOFOLLOW_LINKS);
    if (localDir && !recursive) {
      throw new PathException(local.toString(), "is a directory (use put -r)", null);
    }
    String target = path;
    if (isDirectory(path) && (!localDir || !path.equals("/"))) {
      target = child(path, local.getFileName().toString());
    }
    new CopyIn(this, options).copy(local, target);
    return target;
  }

  /**
   * A device, FIFO or socket, as {@code mknod(1)}: {@code type} one of {@link
   * FileType#CHAR_DEVICE}, {@link FileType#BLOCK_DEVICE} (numbered {@code major}, {@code minor}),
   * {@link FileType#FIFO} or {@link FileType#SOCKET}, with permission bits {@code mode}.
   */
  public void mknod(String path, FileType type, int mode, long major, long minor)
      throws IOException {
    Errors.guarded(path, () -> fs.mknod(path, type, mode, FileStat.makedev(major, minor)));
  }

  /**
   * The bytes of {@code in} written into {@code path} from {@code offset} on (the file is created,
   * mode 0644, if missing) and made durable. Returns the number of bytes written.
   */
  public long write(String path, long offset, InputStream in) throws IOException {
    try (FileHandle dst = Errors.guarded(path, () -> fs.openWrite(path, true, false, 0644))) {
      byte[] chunk = new byte[1 << 20];
      long pos = offset;
      int n;
      while ((n = in.read(chunk)) > 0) {
        ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
        while (b.hasRemaining()) {
          long w = pos + b.position();
          Errors.guarded(path, () -> dst.write(w, b));
        }
        pos += n;
      }
      Errors.guarded(path, dst::fsync);
      return pos - offset;
    }
  }

  // ---- extended attributes (getfattr, setfattr; a final symlink is not followed) ----

  /**
   * What {@code getfattr} prints for {@code path}: {@code # file: PATH} (leading slashes dropped,
   * as getfattr does), then one line per attribute whose name {@code pattern} finds (a regular
   * expression; empty for all; getfattr's default is {@code ^user\\.}), sorted by name, and an
   * empty line; nothing if none matches. With {@code dump} each name is followed by {@code =} and
   * its value in {@code encoding} ({@link XattrText}); with {@code name} only that attribute,
   * dumped, and its absence is an error.
   */
  public void getfattr(
      String path,
      String name,
      boolean dump,
      String pattern,
      XattrText.Encoding encoding,
      PrintStream out)
      throws IOException {
    java.util.List<String> names;
    if (name != null) {
      names = java.util.List.of(name);
      dump = true;
    } else {
      java.util.regex.Pattern p = java.util.regex.Pattern.compile(pattern);
      names = new java.util.ArrayList<>();
      for (String n : Errors.guarded(path, () -> fs.listXattr(path))) {
        if (p.matcher(n).find()) {
          names.add(n);
        }
      }
      names.sort(java.util.Comparator.comparing(Names::toBytes, java.util.Arrays::compareUnsigned));
    }
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    for (String n : names) {
      text.writeBytes(XattrText.quote(Names.toBytes(n), "=\n\r"));
      if (dump) {
        byte[] value = Errors.guarded(path, () -> fs.getXattr(path, n));
        text.write('=');
        text.writeBytes(XattrText.encode(value, encoding));
      }
      text.write('\n');
    }
    if (names.isEmpty()) {
      return;
    }
    String shown = path.replaceFirst("^/+", "");
    out.writeBytes("# file: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.writeBytes(XattrText.quote(Names.toBytes(shown.isEmpty() ? "." : shown), "\n\r"));
    out.write('\n');
    out.writeBytes(text.toByteArray());
    out.write('\n');
  }

  /**
   * {@code setfattr -n NAME -v VALUE}: sets attribute {@code name}, creating or replacing it;
   * {@code value} is decoded as setfattr decodes it ({@link XattrText#decode}); null sets an empty
   * value.
   */
  public void setfattr(String path, String name, byte[] value) throws IOException {
    byte[] bytes;
    try {
      bytes = value == null ? new byte[0] : XattrText.decode(value);
    } catch (IllegalArgumentException e) {
      throw new PathException(path, e.getMessage(), null);
    }
    Errors.guarded(
        path, () -> fs.setXattr(path, name, bytes, org.mpage.api.fs.XattrMode.CREATE_OR_REPLACE));
  }

  /** {@code setfattr -x NAME}: removes attribute {@code name}. */
  public void removefattr(String path, String name) throws IOException {
    Errors.guarded(path, () -> fs.removeXattr(path, name));
  }

  /** A directory, mode 0755; with {@code parents} its missing parents too and no error if any. */
  public void mkdir(String path, boolean parents) throws IOException {
    if (!parents) {
      Errors.guarded(path, () -> fs.mkdir(path, 0755));
      return;
    }
    String sofar = "";
    for (String part : path.split("/", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      sofar = sofar + "/" + part;
      String p = sofar;
      if (!isDirectory(p)) {
        Errors.guarded(p, () -> fs.mkdir(p, 0755));
      }
    }
  }

  /**
   * Removes a file or symlink; a directory and everything under it only with {@code recursive}
   * (entries that cannot be removed are reported and the rest removed).
   */
  public void remove(String path, boolean recursive) throws IOException {
    FileStat st = Errors.guarded(path, () -> fs.lstat(path));
    if (st.type() != FileType.DIRECTORY) {
      Errors.guarded(path, () -> fs.unlink(path));
      return;
    }
    if (!recursive) {
      throw new PathException(path, "is a directory (use rm -r)", null);
    }
    new TreeRemove(this).remove(path, st);
  }

  /** Renames {@code from} to {@code to}, or into {@code to} when it is a directory. */
  public void move(String from, String to) throws IOException {
    String target = isDirectory(to) ? child(to, lastName(from)) : to;
    Errors.guarded(from, () -> fs.rename(from, target));
  }

  /** A hard link, or with {@code symbolic} a symlink, at {@code path} to {@code target}. */
  public void link(String target, String path, boolean symbolic) throws IOException {
    Errors.guarded(
        path,
        () -> {
          if (symbolic) {
            fs.symlink(target, path);
          } else {
            fs.link(target, path);
          }
        });
  }

  /** Sets the file's size: cut, or grown with a hole. */
  public void truncate(String path, long size) throws IOException {
    Errors.guarded(path, () -> fs.truncate(path, size));
  }

  /** Whether {@code path} is a directory (symlinks followed); false if it cannot be read. */
  public boolean isDirectory(String path) {
    try {
      return fs.stat(path).type() == FileType.DIRECTORY;
    } catch (IOException e) {
      return false;
    }
  }

  // ---- paths ----

  /** {@code dir/name}. */
  public static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  /** The last name of a path, trailing slashes ignored. */
  public static String lastName(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    return slash < 0 ? p : p.substring(slash + 1);
  }

  /** The directory holding a path, trailing slashes ignored; {@code /} for a top-level name. */
  public static String parent(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    return slash <= 0 ? "/" : p.substring(0, slash);
  }
}
