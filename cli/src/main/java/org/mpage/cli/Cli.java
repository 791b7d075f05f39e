package org.mpage.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.mpage.api.fs.CorruptFilesystemException;
import org.mpage.api.fs.DirEntry;
import org.mpage.api.fs.FileHandle;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;
import org.mpage.api.fs.FsInfo;
import org.mpage.api.fs.UnsupportedFeatureException;

/**
 * The {@code mpage} command line (DESIGN.md section 6). {@link #run} returns the exit status: 0 on
 * success, 1 on an operational error (one line {@code mpage: <path>: <reason>} on stderr), 2 on a
 * usage error.
 */
public final class Cli {
  static final String USAGE =
      String.join(
          "\n",
          "usage: mpage [--stats] [--trace FILE] [--data-path mpage|buffer] [--debug]"
              + " [--device file|ramdisk] [--read-only] COMMAND ...",
          "  info IMAGE                      superblock summary",
          "  ls [-l] IMAGE [PATH]            one name per line",
          "  cat IMAGE PATH                  bytes to stdout (symlinks followed)",
          "  stat IMAGE PATH",
          "  get [-r] IMAGE PATH LOCAL       copy out (symlinks kept as symlinks)",
          "  mkfs IMAGE SIZE [--block-size 1024|2048|4096]",
          "  put [-r] IMAGE LOCAL PATH       copy in (replaces an existing file)",
          "  write IMAGE PATH [--offset N]   stdin written at offset N (file created if missing)",
          "  mkdir [-p] IMAGE PATH",
          "  rm [-r] IMAGE PATH",
          "  mv IMAGE FROM TO",
          "  ln [-s] IMAGE TARGET PATH",
          "  truncate IMAGE PATH SIZE",
          "  plot TRACE [TRACE...] OUT.svg   BIO traces (--trace) drawn as sector against time",
          "  bench [--quick]                 the benchmark harness (./mpage bench)",
          "  container                       Felix with all bundles (./mpage container)");

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final java.io.InputStream stdin;
  private final OutputStream stdout;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  private boolean stats;
  private boolean debug;
  private boolean readOnly;
  private String deviceType = "file";
  private String traceFile;

  /**
   * One 1 MiB direct buffer for every copy of this command: allocating one per file made a
   * recursive copy of small files wait on the JVM's direct-memory reclamation (System.gc and
   * back-off sleeps), ten times slower than debugfs.
   */
  private ByteBuffer ioBuffer;

  private String dataPath = "mpage";

  /** Entries a recursive command could not handle; any makes the exit status 1. */
  private int failures;

  /** Whether standard output is a terminal: names are then shown escaped, as {@code ls} does. */
  private boolean stdoutTerminal;

  /** Set by the entry point when standard output is a terminal. */
  Cli stdoutIsTerminal(boolean terminal) {
    this.stdoutTerminal = terminal;
    return this;
  }

  public Cli(OutputStream stdout, PrintStream err, boolean stderrIsTerminal) {
    this(java.io.InputStream.nullInputStream(), stdout, err, stderrIsTerminal);
  }

  public Cli(
      java.io.InputStream stdin, OutputStream stdout, PrintStream err, boolean stderrIsTerminal) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.out = new PrintStream(stdout, false, java.nio.charset.StandardCharsets.UTF_8);
    this.err = err;
    this.terminal = stderrIsTerminal;
  }

  /** Runs one command line; never throws. */
  public int run(String[] argv) {
    Deque<String> args = new ArrayDeque<>(List.of(argv));
    try {
      String command = globalOptions(args);
      int status = dispatch(command, args);
      return failures > 0 ? 1 : status;
    } catch (BrokenPipe e) {
      // The reader went away (cat ... | head): end quietly, as a process killed by SIGPIPE does.
      return 141;
    } catch (UsageException e) {
      err.println("mpage: " + e.getMessage());
      err.println(USAGE);
      return 2;
    } catch (PathError e) {
      report(e.path(), e.reason(), e);
      return 1;
    } catch (IOException e) {
      report(null, null, e);
      return 1;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      err.println("mpage: internal error: " + Escape.name(e.toString()));
      if (debug) {
        e.printStackTrace(err);
      }
      return 1;
    } finally {
      out.flush();
    }
  }

  private String globalOptions(Deque<String> args) throws UsageException {
    while (!args.isEmpty() && args.peekFirst().startsWith("--")) {
      String opt = args.pollFirst();
      switch (opt) {
        case "--stats" -> stats = true;
        case "--debug" -> debug = true;
        case "--read-only" -> readOnly = true;
        case "--trace" -> {
          traceFile = args.pollFirst();
          if (traceFile == null) {
            throw new UsageException("--trace needs a file");
          }
        }
        case "--data-path" -> {
          String path = args.pollFirst();
          if (!"mpage".equals(path) && !"buffer".equals(path)) {
            throw new UsageException("--data-path takes mpage or buffer, not " + path);
          }
          dataPath = path;
        }
        case "--device" -> {
          String type = args.pollFirst();
          if (!"file".equals(type) && !"ramdisk".equals(type)) {
            throw new UsageException("--device takes file or ramdisk, not " + type);
          }
          deviceType = type;
        }
        default -> throw new UsageException("unknown option " + opt);
      }
    }
    if (args.isEmpty()) {
      throw new UsageException("no command");
    }
    return args.pollFirst();
  }

  private int dispatch(String command, Deque<String> args) throws UsageException, IOException {
    switch (command) {
      case "info" -> {
        Path image = image(args);
        done(args);
        onImage(image, false, s -> info(s.fs.info()));
      }
      case "ls" -> {
        boolean longFormat = flag(args, "-l");
        Path image = image(args);
        String path = args.isEmpty() ? "/" : args.pollFirst();
        done(args);
        onImage(image, false, s -> ls(s, path, longFormat));
      }
      case "cat" -> {
        Path image = image(args);
        String path = required(args, "PATH");
        done(args);
        onImage(image, false, s -> cat(s, path));
      }
      case "stat" -> {
        Path image = image(args);
        String path = required(args, "PATH");
        done(args);
        onImage(image, false, s -> stat(s, path));
      }
      case "get" -> {
        boolean recursive = flag(args, "-r");
        Path image = image(args);
        String path = required(args, "PATH");
        Path local = Path.of(required(args, "LOCAL"));
        done(args);
        onImage(image, false, s -> get(s, path, local, recursive));
      }
      case "mkfs" -> {
        Path image = image(args);
        long size = size(required(args, "SIZE"));
        int blockSize = 4096;
        if ("--block-size".equals(args.peekFirst())) {
          args.pollFirst();
          String bs = required(args, "block size");
          if (!bs.equals("1024") && !bs.equals("2048") && !bs.equals("4096")) {
            throw new UsageException("--block-size takes 1024, 2048 or 4096, not " + bs);
          }
          blockSize = Integer.parseInt(bs);
        }
        done(args);
        try {
          Session.Formatted f = Session.mkfs(image, size, blockSize, engineOptions());
          printStats(f.engineStats(), f.device());
        } catch (IOException | IllegalArgumentException e) {
          throw new PathError(
              image.toString(), e instanceof IOException io ? reason(io) : e.getMessage(), e);
        }
      }
      case "put" -> {
        boolean recursive = flag(args, "-r");
        Path image = image(args);
        Path local = Path.of(required(args, "LOCAL"));
        String path = required(args, "PATH");
        done(args);
        onImage(
            image,
            true,
            s -> {
              put(s, local, path, recursive);
              s.fs.sync();
            });
      }
      case "write" -> {
        Path image = image(args);
        String path = required(args, "PATH");
        long offset = 0;
        if ("--offset".equals(args.peekFirst())) {
          args.pollFirst();
          offset = size(required(args, "offset"));
        }
        done(args);
        long at = offset;
        onImage(image, true, s -> writeStdin(s, path, at));
      }
      case "mkdir" -> {
        boolean parents = flag(args, "-p");
        Path image = image(args);
        String path = required(args, "PATH");
        done(args);
        onImage(image, true, s -> mkdir(s, path, parents));
      }
      case "rm" -> {
        boolean recursive = flag(args, "-r");
        Path image = image(args);
        String path = required(args, "PATH");
        done(args);
        onImage(image, true, s -> rm(s, path, recursive));
      }
      case "mv" -> {
        Path image = image(args);
        String from = required(args, "FROM");
        String to = required(args, "TO");
        done(args);
        onImage(
            image,
            true,
            s -> {
              String target = to;
              if (isDir(s, to)) {
                target = child(to, lastName(from));
              }
              String t = target;
              guarded(
                  from,
                  () -> {
                    s.fs.rename(from, t);
                    return null;
                  });
            });
      }
      case "ln" -> {
        boolean symbolic = flag(args, "-s");
        Path image = image(args);
        String target = required(args, "TARGET");
        String path = required(args, "PATH");
        done(args);
        onImage(
            image,
            true,
            s -> {
              guarded(
                  path,
                  () -> {
                    if (symbolic) {
                      s.fs.symlink(target, path);
                    } else {
                      s.fs.link(target, path);
                    }
                    return null;
                  });
            });
      }
      case "truncate" -> {
        Path image = image(args);
        String path = required(args, "PATH");
        long size = size(required(args, "SIZE"));
        done(args);
        onImage(
            image,
            true,
            s -> {
              guarded(
                  path,
                  () -> {
                    s.fs.truncate(path, size);
                    return null;
                  });
            });
      }
      case "plot" -> {
        if (args.size() < 2) {
          throw new UsageException("plot needs at least one trace and the output file");
        }
        List<String> files = new ArrayList<>(args);
        args.clear();
        Path svg = Path.of(files.remove(files.size() - 1));
        plot(files, svg);
      }
      case "help", "-h" -> out.println(USAGE);
      default -> throw new UsageException("unknown command " + command);
    }
    return 0;
  }

  private static boolean flag(Deque<String> args, String flag) {
    if (flag.equals(args.peekFirst())) {
      args.pollFirst();
      return true;
    }
    return false;
  }

  private static Path image(Deque<String> args) throws UsageException {
    return Path.of(required(args, "IMAGE"));
  }

  private static String required(Deque<String> args, String what) throws UsageException {
    String v = args.pollFirst();
    if (v == null) {
      throw new UsageException("missing " + what);
    }
    return v;
  }

  private void plot(List<String> traces, Path svg) throws IOException {
    List<TracePlot.Trace> parsed = new ArrayList<>();
    for (String t : traces) {
      try {
        parsed.add(TracePlot.read(Path.of(t)));
      } catch (IOException e) {
        throw new PathError(t, reason(e), e);
      }
    }
    try (java.io.Writer w = Files.newBufferedWriter(svg, java.nio.charset.StandardCharsets.UTF_8)) {
      TracePlot.write(parsed, w);
    } catch (IOException e) {
      throw new PathError(svg.toString(), reason(e), e);
    }
  }

  private static void done(Deque<String> args) throws UsageException {
    if (!args.isEmpty()) {
      throw new UsageException("unexpected argument " + args.peekFirst());
    }
  }

  ByteBuffer ioBuffer() {
    if (ioBuffer == null) {
      ioBuffer = ByteBuffer.allocateDirect(1 << 20);
    }
    return ioBuffer.clear();
  }

  /** What the global options ask of the engine: a BIO trace, the data path. */
  private Map<String, String> engineOptions() {
    Map<String, String> o = new java.util.HashMap<>();
    o.put("data.path", dataPath);
    if (traceFile != null) {
      o.put("trace.file", traceFile);
    }
    return o;
  }

  private Session open(Path image) throws IOException {
    try {
      return Session.open(image, deviceType, true, engineOptions());
    } catch (IOException e) {
      throw new PathError(image.toString(), reason(e), e);
    }
  }

  @FunctionalInterface
  private interface SessionWork {
    void run(Session s) throws IOException;
  }

  /**
   * Mounts the image (read-write unless {@code writable} is false or --read-only was given), runs
   * the work, unmounts, and prints statistics if asked (after the unmount, so that the final
   * writeback and flush are counted).
   */
  private void onImage(Path image, boolean writable, SessionWork work) throws IOException {
    Session s = writable ? openWritable(image) : open(image);
    try (s) {
      work.run(s);
    }
    printStats(s.engine.statistics(), s.device);
  }

  /** Mounted read-write (unless --read-only, which makes every change fail). */
  private Session openWritable(Path image) throws IOException {
    try {
      return Session.open(image, deviceType, readOnly, engineOptions());
    } catch (IOException e) {
      throw new PathError(image.toString(), reason(e), e);
    }
  }

  /** A size: bytes, or with a K, M, G, T or P suffix (powers of 1024). */
  static long size(String text) throws UsageException {
    String t = text.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (!t.isEmpty() && "KMGTP".indexOf(t.charAt(t.length() - 1)) >= 0) {
      unit = 1L << (10 * ("KMGTP".indexOf(t.charAt(t.length() - 1)) + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Math.multiplyExact(Long.parseLong(t), unit);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException("not a size: " + text);
    }
  }

  private static boolean isDir(Session s, String path) {
    try {
      return s.fs.stat(path).type() == FileType.DIRECTORY;
    } catch (IOException e) {
      return false;
    }
  }

  // ---- write commands ----

  private void put(Session s, Path local, String path, boolean recursive) throws IOException {
    if (!Files.exists(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new PathError(local.toString(), "no such file or directory", null);
    }
    if (Files.isDirectory(local, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !recursive) {
      throw new PathError(local.toString(), "is a directory (use put -r)", null);
    }
    String target = path;
    if (isDir(s, path) && !Files.isDirectory(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      target = child(path, local.getFileName().toString());
    } else if (isDir(s, path) && !path.equals("/")) {
      target = child(path, local.getFileName().toString());
    }
    new CopyIn(this, s).copy(local, target);
  }

  private void writeStdin(Session s, String path, long offset) throws IOException {
    try (FileHandle dst = guarded(path, () -> s.fs.openWrite(path, true, false, 0644))) {
      byte[] chunk = new byte[1 << 20];
      long pos = offset;
      int n;
      while ((n = stdin.read(chunk)) > 0) {
        ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
        while (b.hasRemaining()) {
          long w = pos + b.position();
          guarded(path, () -> dst.write(w, b));
        }
        pos += n;
      }
      guarded(
          path,
          () -> {
            dst.fsync();
            return null;
          });
    }
  }

  private void mkdir(Session s, String path, boolean parents) throws IOException {
    if (!parents) {
      guarded(
          path,
          () -> {
            s.fs.mkdir(path, 0755);
            return null;
          });
      return;
    }
    String sofar = "";
    for (String part : path.split("/", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      sofar = sofar + "/" + part;
      String p = sofar;
      if (!isDir(s, p)) {
        guarded(
            p,
            () -> {
              s.fs.mkdir(p, 0755);
              return null;
            });
      }
    }
  }

  private void rm(Session s, String path, boolean recursive) throws IOException {
    FileStat st = guarded(path, () -> s.fs.lstat(path));
    if (st.type() != FileType.DIRECTORY) {
      guarded(
          path,
          () -> {
            s.fs.unlink(path);
            return null;
          });
      return;
    }
    if (!recursive) {
      throw new PathError(path, "is a directory (use rm -r)", null);
    }
    new TreeRemove(this, s).remove(path, st);
  }

  static int permissionsOf(Path local) {
    try {
      int mode = 0;
      Set<PosixFilePermission> perms =
          Files.getPosixFilePermissions(local, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      for (int bit = 0; bit < 9; bit++) {
        if (perms.contains(PERMISSION_BITS[bit])) {
          mode |= 1 << (8 - bit);
        }
      }
      return mode;
    } catch (IOException | UnsupportedOperationException e) {
      return Files.isDirectory(local) ? 0755 : 0644;
    }
  }

  // ---- commands ----

  private void info(FsInfo i) {
    out.println("Filesystem type:   " + i.type());
    out.println("Volume name:       " + (i.volumeName().isEmpty() ? "<none>" : i.volumeName()));
    out.println("UUID:              " + i.uuid());
    out.println("Revision:          " + i.revision());
    out.println("Features:          " + String.join(" ", i.features()));
    out.println("State:             " + i.state());
    out.println("Block size:        " + i.blockSize());
    out.println("Blocks:            " + i.blocksCount());
    out.println("Free blocks:       " + i.freeBlocks());
    out.println("Inodes:            " + i.inodesCount());
    out.println("Free inodes:       " + i.freeInodes());
    out.println("Inode size:        " + i.inodeSize());
    out.println("Block groups:      " + i.groups());
    out.println("Mounted read-only: " + (i.readOnly() ? "yes" : "no"));
  }

  private void ls(Session s, String path, boolean longFormat) throws IOException {
    FileStat st = guarded(path, () -> s.fs.stat(path));
    if (st.type() != FileType.DIRECTORY) {
      printEntry(s, path, lastName(path), longFormat);
      return;
    }
    for (DirEntry e : guarded(path, () -> s.fs.list(path))) {
      try {
        printEntry(s, child(path, e.name()), e.name(), longFormat);
      } catch (PathError bad) {
        // one unreadable entry (a corrupt inode) does not hide the others, as with ls
        warn(bad.path(), bad.reason());
      }
    }
  }

  private void printEntry(Session s, String path, String name, boolean longFormat)
      throws IOException {
    if (!longFormat) {
      printName(name, "\n");
      return;
    }
    FileStat st = guarded(path, () -> s.fs.lstat(path));
    String line =
        String.format(
            Locale.ROOT,
            "%s %3d %5d %5d %10d %s %s",
            modeString(st),
            st.links(),
            st.uid(),
            st.gid(),
            st.size(),
            TIME.format(Instant.ofEpochSecond(st.mtime())),
            "");
    out.print(line);
    if (st.type() == FileType.SYMLINK) {
      printName(name, " -> ");
      printName(guarded(path, () -> s.fs.readLink(path)), "\n");
    } else {
      printName(name, "\n");
    }
  }

  /**
   * A name from the image to standard output: escaped on a terminal (as {@code ls -b}), its exact
   * bytes otherwise, so that a script reading the output gets the name as it is on disk.
   */
  private void printName(String name, String after) {
    if (stdoutTerminal) {
      out.print(Escape.name(name));
    } else {
      byte[] bytes = org.mpage.api.fs.Names.toBytes(name);
      out.write(bytes, 0, bytes.length);
    }
    out.print(after);
  }

  /** How much one splice call moves before progress is drawn again. */
  static final long SPLICE_CHUNK = 8L << 20;

  /** The file's bytes spliced from the page cache to standard output. */
  private void cat(Session s, String path) throws IOException {
    out.flush();
    try (FileHandle f = guarded(path, () -> s.fs.open(path))) {
      HostChannel sink = new HostChannel(sink());
      long pos = 0;
      long size = f.size();
      Progress progress = new Progress(err, "cat " + Escape.name(path), size, terminal);
      while (pos < size) {
        long at = pos;
        long n;
        try {
          n = guarded(path, () -> f.transferTo(at, SPLICE_CHUNK, sink));
        } catch (PathError e) {
          if (e.getCause() instanceof HostChannel.Failed failed) {
            IOException why = BrokenPipe.orElse(failed.reason());
            throw why instanceof BrokenPipe ? why : new PathError("stdout", reason(why), why);
          }
          throw e;
        }
        if (n <= 0) {
          break;
        }
        pos += n;
        progress.update(pos);
      }
      progress.finish();
    }
    stdout.flush();
  }

  private WritableByteChannel sink() {
    if (stdout == System.out) {
      // Straight to file descriptor 1: no copy through a stream.
      return new java.io.FileOutputStream(java.io.FileDescriptor.out).getChannel();
    }
    return Channels.newChannel(stdout);
  }

  private void stat(Session s, String path) throws IOException {
    FileStat st = guarded(path, () -> s.fs.lstat(path));
    out.println(
        "  File: "
            + Escape.name(path)
            + (st.type() == FileType.SYMLINK
                ? " -> " + Escape.name(guarded(path, () -> s.fs.readLink(path)))
                : ""));
    out.printf(
        Locale.ROOT, "  Size: %d\tBlocks: %d\t%s%n", st.size(), st.blocks(), typeName(st.type()));
    out.printf(Locale.ROOT, " Inode: %d\tLinks: %d%n", st.ino(), st.links());
    out.printf(
        Locale.ROOT,
        "Access: (%04o/%s)\tUid: %d\tGid: %d%n",
        st.permissions(),
        modeString(st),
        st.uid(),
        st.gid());
    out.println("Access: " + TIME.format(Instant.ofEpochSecond(st.atime())) + " UTC");
    out.println("Modify: " + TIME.format(Instant.ofEpochSecond(st.mtime())) + " UTC");
    out.println("Change: " + TIME.format(Instant.ofEpochSecond(st.ctime())) + " UTC");
  }

  private void get(Session s, String path, Path local, boolean recursive) throws IOException {
    FileStat st = guarded(path, () -> s.fs.lstat(path));
    Path target = local;
    if (Files.isDirectory(local) && !path.equals("/")) {
      try {
        target = HostNames.child(local, lastName(path));
      } catch (IllegalArgumentException e) {
        throw new PathError(path, e.getMessage(), e);
      }
    }
    if (st.type() == FileType.DIRECTORY && !recursive) {
      throw new PathError(path, "is a directory (use get -r)", null);
    }
    new CopyOut(this, s).copy(path, st, target);
  }

  // ---- errors ----

  @FunctionalInterface
  interface IoCall<T> {
    T call() throws IOException;
  }

  /** Runs an operation on the image, naming {@code path} in any error. */
  static <T> T guarded(String path, IoCall<T> call) throws PathError {
    try {
      return call.call();
    } catch (PathError e) {
      throw e;
    } catch (IOException e) {
      // The api's corruption messages name the file for their other users; the line names it once.
      String reason = reason(e);
      String twice = "corrupt filesystem: " + path + ": ";
      if (reason.startsWith(twice)) {
        reason = "corrupt filesystem: " + reason.substring(twice.length());
      }
      throw new PathError(path, reason, e);
    }
  }

  /** Runs an operation on the local filesystem, naming the local path in any error. */
  static <T> T local(Path path, IoCall<T> call) throws PathError {
    try {
      return call.call();
    } catch (IOException e) {
      throw new PathError(path.toString(), reason(e), e);
    }
  }

  /** The reason part of an error line: what went wrong, without repeating the path. */
  static String reason(IOException e) {
    if (e instanceof NoSuchFileException n) {
      return n.getReason() != null ? n.getReason() : "no such file or directory";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof FileSystemLoopException) {
      return "too many levels of symbolic links";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "file exists";
    }
    if (e instanceof java.nio.file.DirectoryNotEmptyException) {
      return "directory not empty";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CorruptFilesystemException || e instanceof UnsupportedFeatureException) {
      return e.getMessage();
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e instanceof FileNotFoundException) {
      return "no such file or directory";
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  private void report(String path, String reason, IOException e) {
    if (path == null) {
      err.println("mpage: " + Escape.name(reason(e)));
    } else {
      err.println("mpage: " + Escape.name(path) + ": " + Escape.name(reason));
    }
    if (debug) {
      e.printStackTrace(err);
    }
  }

  /**
   * Reports a failure that does not end the command (one entry of a recursive copy or removal): the
   * command goes on and exits 1 at the end.
   */
  void warn(String path, String reason) {
    failures++;
    err.println("mpage: " + Escape.name(path) + ": " + Escape.name(reason));
  }

  PrintStream err() {
    return err;
  }

  Progress progress(String label, long size) {
    return new Progress(err, Escape.name(label), size, terminal);
  }

  /** Whether an error ends a recursive copy: no space left on the host or in the image. */
  static boolean isFatal(PathError e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.mpage.api.page.NoSpaceException) {
        return true;
      }
    }
    String r = e.reason() == null ? "" : e.reason();
    return r.contains("No space left on device")
        || r.contains("Disk quota exceeded")
        || r.contains("ENOSPC")
        || r.contains("no free blocks")
        || r.contains("no free inodes");
  }

  private void printStats(Map<String, Long> engineStats, org.mpage.api.block.BlockDevice device) {
    if (!stats) {
      return;
    }
    for (Map.Entry<String, Long> e : engineStats.entrySet()) {
      err.println("mpage: stats: " + e.getKey() + " " + e.getValue());
    }
    err.println("mpage: stats: device " + device.stats().format(device.name()));
  }

  // ---- formatting ----

  static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  static String lastName(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    return slash < 0 ? p : p.substring(slash + 1);
  }

  static String modeString(FileStat st) {
    char t =
        switch (st.type()) {
          case DIRECTORY -> 'd';
          case SYMLINK -> 'l';
          case CHAR_DEVICE -> 'c';
          case BLOCK_DEVICE -> 'b';
          case FIFO -> 'p';
          case SOCKET -> 's';
          default -> '-';
        };
    int m = st.permissions();
    StringBuilder sb = new StringBuilder().append(t);
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    return sb.toString();
  }

  static String typeName(FileType t) {
    return switch (t) {
      case REGULAR -> "regular file";
      case DIRECTORY -> "directory";
      case SYMLINK -> "symbolic link";
      case CHAR_DEVICE -> "character special file";
      case BLOCK_DEVICE -> "block special file";
      case FIFO -> "fifo";
      case SOCKET -> "socket";
      case UNKNOWN -> "unknown";
    };
  }

  /** rwxrwxrwx from the most significant bit down. */
  private static final PosixFilePermission[] PERMISSION_BITS = {
    PosixFilePermission.OWNER_READ,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_EXECUTE
  };

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = PERMISSION_BITS;
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        set.add(order[i]);
      }
    }
    return set;
  }
}
