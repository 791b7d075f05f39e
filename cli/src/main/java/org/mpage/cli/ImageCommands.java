package org.mpage.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.mpage.fileops.Errors;
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

  private void mkfs(Deque<String> args) throws UsageException, IOException {
    Path image = Args.image(args);
    long size = Args.size(Args.required(args, "SIZE"));
    int blockSize = 4096;
    if ("--block-size".equals(args.peekFirst())) {
      args.pollFirst();
      String bs = Args.required(args, "block size");
      if (!bs.equals("1024") && !bs.equals("2048") && !bs.equals("4096")) {
        throw new UsageException("--block-size takes 1024, 2048 or 4096, not " + bs);
      }
      blockSize = Integer.parseInt(bs);
    }
    Args.done(args);
    try {
      Session.Formatted f = Session.mkfs(image, size, blockSize, cli.engineOptions());
      cli.printStats(f.engineStats(), f.device());
    } catch (IOException | IllegalArgumentException e) {
      throw new PathException(
          image.toString(), e instanceof IOException io ? Errors.reason(io) : e.getMessage(), e);
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
    Path image = Args.image(args);
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
