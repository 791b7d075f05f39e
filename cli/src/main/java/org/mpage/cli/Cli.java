package org.mpage.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mpage.api.block.BlockDevice;
import org.mpage.fileops.BrokenPipeException;
import org.mpage.fileops.Errors;
import org.mpage.fileops.Escape;
import org.mpage.fileops.FileOps;
import org.mpage.fileops.PathException;
import org.mpage.fileops.PrintingReporter;
import org.mpage.fileops.Progress;
import org.mpage.fuse.FuseMount;

/**
 * The {@code mpage} command line (DESIGN.md section 6). {@link #run} returns the exit status: 0 on
 * success, 1 on an operational error (one line {@code mpage: <path>: <reason>} on stderr), 2 on a
 * usage error. This class reads the global options, dispatches to the command groups ({@link
 * ReadCommands}, {@link WriteCommands}, {@link ImageCommands}), which parse their arguments and
 * call the file-operations layer ({@link FileOps}) on a mounted image, and maps what ends a command
 * to its line and status ({@link Errors}).
 */
public final class Cli {
  static final String USAGE = Usage.TEXT;

  private final InputStream stdin;
  private final OutputStream stdout;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;

  /** Entries a recursive command could not handle, each reported; any makes the exit status 1. */
  private final PrintingReporter reporter;

  private boolean stats;
  private boolean debug;
  private boolean readOnly;

  /** Filesystem mount options from the global options ({@code --no-csum}: csum=ignore). */
  private final Map<String, String> mountOptions = new HashMap<>();

  private String deviceType = "file";

  /** The environment (SOURCE_DATE_EPOCH); tests give their own. */
  private Map<String, String> env = System.getenv();

  /** Fault targets ({@code --fault}) stacked on the image's device, in order. */
  private final List<Session.Fault> faults = new java.util.ArrayList<>();

  private String traceFile;
  private String dataPath = "mpage";

  /** Whether standard output is a terminal: names are then shown escaped, as {@code ls} does. */
  private boolean stdoutTerminal;

  /** The environment variables the commands read (SOURCE_DATE_EPOCH), instead of the process's. */
  public Cli environment(Map<String, String> env) {
    this.env = Map.copyOf(env);
    return this;
  }

  /** Set by the entry point when standard output is a terminal. */
  Cli stdoutIsTerminal(boolean terminal) {
    this.stdoutTerminal = terminal;
    return this;
  }

  public Cli(OutputStream stdout, PrintStream err, boolean stderrIsTerminal) {
    this(InputStream.nullInputStream(), stdout, err, stderrIsTerminal);
  }

  public Cli(InputStream stdin, OutputStream stdout, PrintStream err, boolean stderrIsTerminal) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.out = new PrintStream(stdout, false, StandardCharsets.UTF_8);
    this.err = err;
    this.terminal = stderrIsTerminal;
    this.reporter = new PrintingReporter(err);
  }

  /** Runs one command line; never throws. */
  public int run(String[] argv) {
    Deque<String> args = new ArrayDeque<>(List.of(argv));
    try {
      String command = globalOptions(args);
      dispatch(command, args);
      return reporter.failures() > 0 ? Errors.FAILURE : Errors.OK;
    } catch (BrokenPipeException e) {
      // The reader went away (cat ... | head): end quietly, as a process killed by SIGPIPE does.
      return Errors.BROKEN_PIPE;
    } catch (UsageException e) {
      err.println("mpage: " + e.getMessage());
      err.println(USAGE);
      return Errors.USAGE;
    } catch (IOException e) {
      err.println(Errors.line(e));
      if (debug) {
        e.printStackTrace(err);
      }
      return Errors.exitStatus(e);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      err.println(Errors.internalError(e));
      if (debug) {
        e.printStackTrace(err);
      }
      return Errors.FAILURE;
    } finally {
      out.flush();
    }
  }

  /** Reads the options before the command; returns the command. */
  private String globalOptions(Deque<String> args) throws UsageException {
    while (!args.isEmpty() && args.peekFirst().startsWith("--")) {
      String opt = args.pollFirst();
      switch (opt) {
        case "--stats" -> stats = true;
        case "--debug" -> debug = true;
        case "--read-only" -> readOnly = true;
        case "--no-csum" -> mountOptions.put("csum", "ignore");
        case "--help" -> {
          return "help";
        }
        case "--version" -> {
          return "--version";
        }
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
        case "--fault" -> {
          String spec = args.pollFirst();
          if (spec == null) {
            throw new UsageException("--fault needs TYPE[:KEY=VALUE,...]");
          }
          faults.add(Args.fault(spec));
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

  private void dispatch(String command, Deque<String> args) throws UsageException, IOException {
    switch (command) {
      case "help", "-h" -> {
        help(args);
        return;
      }
      case "--version" -> {
        Args.done(args);
        out.println("mpage " + Usage.version());
        return;
      }
      default -> {}
    }
    String first = args.peekFirst();
    if (Usage.COMMANDS.containsKey(command) && ("--help".equals(first) || "-h".equals(first))) {
      args.pollFirst();
      Args.done(args);
      out.print(Usage.help(command));
      return;
    }
    if (!new ReadCommands(this).run(command, args)
        && !new WriteCommands(this).run(command, args)
        && !new ImageCommands(this).run(command, args)) {
      throw new UsageException("unknown command " + command);
    }
  }

  /** {@code help}: the usage text; {@code help COMMAND}: that command's synopsis and options. */
  private void help(Deque<String> args) throws UsageException {
    if (args.isEmpty()) {
      out.println(Usage.help());
      return;
    }
    String command = args.pollFirst();
    Args.done(args);
    String text = Usage.help(command);
    if (text == null) {
      throw new UsageException("unknown command " + command);
    }
    out.print(text);
  }

  // ---- what the command groups use ----

  InputStream stdin() {
    return stdin;
  }

  String env(String name) {
    return env.get(name);
  }

  Progress.Factory progress() {
    return this::progress;
  }

  OutputStream stdout() {
    return stdout;
  }

  /** Standard output as text (UTF-8) and bytes; flushed when the command ends. */
  PrintStream out() {
    return out;
  }

  boolean stdoutIsTerminal() {
    return stdoutTerminal;
  }

  /** Standard output as a channel for splicing. */
  WritableByteChannel stdoutChannel() {
    if (stdout == System.out) {
      // Straight to file descriptor 1: no copy through a stream.
      return new FileOutputStream(FileDescriptor.out).getChannel();
    }
    return Channels.newChannel(stdout);
  }

  /** What the global options ask of the engine: a BIO trace, the data path. */
  Map<String, String> engineOptions() {
    Map<String, String> o = new HashMap<>();
    o.put("data.path", dataPath);
    if (traceFile != null) {
      o.put("trace.file", traceFile);
    }
    return o;
  }

  /** The work of one command on a mounted image. */
  @FunctionalInterface
  interface Work {
    void run(FileOps ops) throws IOException;
  }

  /**
   * Mounts the image (read-write unless {@code writable} is false or --read-only was given), runs
   * the work, unmounts, and prints statistics if asked (after the unmount, so that the final
   * writeback and flush are counted).
   */
  void onImage(Image image, boolean writable, Work work) throws IOException {
    Session s;
    try {
      s =
          Session.open(
              image, deviceType, !writable || readOnly, engineOptions(), faults, mountOptions);
    } catch (IOException e) {
      throw new PathException(image.toString(), Errors.reason(e), e);
    }
    try (s) {
      work.run(new FileOps(s.fileSystem(), reporter, this::progress));
    }
    printStats(s.engine().statistics(), s.device);
  }

  /**
   * {@code mount}: the image (read-only if asked or --read-only) shown at {@code dir} through FUSE
   * until {@code fusermount -u} or a signal; the image is synced and closed before this returns, or
   * before the process exits on a signal.
   */
  void mount(Image image, Path dir, boolean mountReadOnly) throws IOException {
    boolean ro = mountReadOnly || readOnly;
    Session s;
    try {
      s = Session.open(image, deviceType, ro, engineOptions(), faults, mountOptions);
    } catch (IOException e) {
      throw new PathException(image.toString(), Errors.reason(e), e);
    }
    boolean[] closed = {false};
    try {
      FuseMount.foreground(
          s.fileSystem(),
          dir,
          ro,
          image.isNbd() ? image.text() : image.file().toAbsolutePath().toString(),
          () -> {
            closed[0] = true;
            Errors.guarded(image.toString(), s::close);
          },
          err);
    } catch (PathException e) {
      throw e;
    } catch (IOException e) {
      throw new PathException(dir.toString(), Errors.reason(e), e);
    } finally {
      if (!closed[0]) {
        Errors.guarded(image.toString(), s::close);
      }
    }
    printStats(s.engine().statistics(), s.device);
  }

  /** A progress bar on stderr when it is a terminal, for a copy of {@code total} bytes. */
  private Progress progress(String label, long total) {
    return new TerminalProgress(err, Escape.name(label), total, terminal);
  }

  void printStats(Map<String, Long> engineStats, BlockDevice device) {
    if (!stats) {
      return;
    }
    for (Map.Entry<String, Long> e : engineStats.entrySet()) {
      err.println("mpage: stats: " + e.getKey() + " " + e.getValue());
    }
    err.println("mpage: stats: device " + device.stats().format(device.name()));
  }
}
