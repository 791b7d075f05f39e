package org.mpage.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.mpage.api.fs.FileSystem;
import org.mpage.fileops.Errors;
import org.mpage.fileops.ImageBuild;
import org.mpage.fileops.PathException;

/**
 * The commands on whole images and traces rather than files: {@code mkfs}, {@code mount} (a FUSE
 * mount in the foreground) and {@code plot}.
 */
final class ImageCommands {
  private final Cli cli;

  ImageCommands(Cli cli) {
    this.cli = cli;
  }

  /** Runs {@code command} if it is one of these; false if it is not. */
  boolean run(String command, Deque<String> args) throws UsageException, IOException {
    switch (command) {
      case "mkfs" -> mkfs(args);
      case "mount" -> mount(args);
      case "plot" -> {
        if (args.size() < 2) {
          throw new UsageException("plot needs at least one trace and the output file");
        }
        List<String> files = new ArrayList<>(args);
        args.clear();
        Path svg = Path.of(files.remove(files.size() - 1));
        plot(files, svg);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code mkfs IMAGE SIZE|auto [--block-size N] [--from DIR|TAR|- [--uuid U] [--label L]
   * [--hash-seed U]]}: options in any order after SIZE.
   */
  private void mkfs(Deque<String> args) throws UsageException, IOException {
    Image target = Args.image(args);
    String sizeText = Args.required(args, "SIZE");
    int blockSize = 4096;
    String from = null;
    String uuid = null;
    String label = null;
    String hashSeed = null;
    while (!args.isEmpty()) {
      String opt = args.pollFirst();
      switch (opt) {
        case "--block-size" -> {
          String bs = Args.required(args, "block size");
          if (!bs.equals("1024") && !bs.equals("2048") && !bs.equals("4096")) {
            throw new UsageException("--block-size takes 1024, 2048 or 4096, not " + bs);
          }
          blockSize = Integer.parseInt(bs);
        }
        case "--from" -> from = Args.required(args, "--from DIR|TAR|-");
        case "--uuid" -> uuid = uuid(Args.required(args, "--uuid UUID"), "--uuid");
        case "--hash-seed" ->
            hashSeed = uuid(Args.required(args, "--hash-seed UUID"), "--hash-seed");
        case "--label" -> label = Args.required(args, "--label LABEL");
        default -> throw new UsageException("unexpected argument " + opt);
      }
    }
    boolean auto = sizeText.equals("auto");
    if (from == null && (auto || uuid != null || label != null || hashSeed != null)) {
      throw new UsageException("SIZE auto, --uuid, --label and --hash-seed go with --from");
    }
    if (target.isNbd() && from != null) {
      throw new PathException(
          target.text(), "mkfs --from builds an image file, not an NBD export", null);
    }
    if (from == null) {
      long size = Args.size(sizeText);
      try {
        Session.Formatted f = Session.mkfs(target, size, blockSize, cli.engineOptions());
        cli.printStats(f.engineStats(), f.device());
      } catch (IOException | IllegalArgumentException e) {
        throw new PathException(
            target.text(), e instanceof IOException io ? Errors.reason(io) : e.getMessage(), e);
      }
      return;
    }
    Path image = target.file();
    long epoch = sourceDateEpoch();
    ImageBuild.Options o =
        new ImageBuild.Options(
            auto ? -1 : Args.size(sizeText), blockSize, uuid, label, hashSeed, epoch);
    ImageBuild.build(
        image,
        from.equals("-") ? null : Path.of(from),
        cli.stdin(),
        o,
        (file, size, formatOptions, mountOptions) -> {
          Session.mkfs(file, size, formatOptions, cli.engineOptions());
          Session s =
              Session.open(file, "file", false, cli.engineOptions(), List.of(), mountOptions);
          return new ImageBuild.Mount() {
            @Override
            public FileSystem fileSystem() {
              return s.fileSystem();
            }

            @Override
            public void close() throws IOException {
              s.close();
            }
          };
        },
        cli.progress());
  }

  private static String uuid(String text, String option) throws UsageException {
    if (!text.matches(
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      throw new UsageException(option + " takes a UUID (8-4-4-4-12 hex digits), not " + text);
    }
    return text.toLowerCase(java.util.Locale.ROOT);
  }

  /** SOURCE_DATE_EPOCH (seconds), or -1 when unset; set but not a number is an error. */
  private long sourceDateEpoch() throws UsageException {
    String e = cli.env("SOURCE_DATE_EPOCH");
    if (e == null || e.isEmpty()) {
      return -1;
    }
    try {
      long v = Long.parseLong(e.trim());
      if (v < 0 || v > 0xffff_ffffL) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException x) {
      throw new UsageException(
          "SOURCE_DATE_EPOCH must be seconds since 1970 that fit ext2's 32 bits, not " + e);
    }
  }

  /** {@code mount [-o ro] IMAGE DIR}: until {@code fusermount -u DIR} or Ctrl-C. */
  private void mount(Deque<String> args) throws UsageException, IOException {
    boolean readOnly = false;
    while (Args.flag(args, "-o")) {
      for (String o : Args.required(args, "mount options").split(",", -1)) {
        switch (o) {
          case "ro" -> readOnly = true;
          case "rw" -> readOnly = false;
          default -> throw new UsageException("mount -o takes ro or rw, not " + o);
        }
      }
    }
    Image image = Args.image(args);
    Path dir = Path.of(Args.required(args, "DIR"));
    Args.done(args);
    cli.mount(image, dir, readOnly);
  }

  private static void plot(List<String> traces, Path svg) throws IOException {
    List<TracePlot.Trace> parsed = new ArrayList<>();
    for (String t : traces) {
      try {
        parsed.add(TracePlot.read(Path.of(t)));
      } catch (IOException e) {
        throw new PathException(t, Errors.reason(e), e);
      }
    }
    try (Writer w = Files.newBufferedWriter(svg, StandardCharsets.UTF_8)) {
      TracePlot.write(parsed, w);
    } catch (IOException e) {
      throw new PathException(svg.toString(), Errors.reason(e), e);
    }
  }
}
