package org.mpage.maven;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.mpage.cli.Cli;

/**
 * Builds an ext2 image from a folder or a tar (plain or gzip) in a project's build: {@code ./mpage
 * mkfs IMAGE SIZE --from SOURCE} with the same options, run in the build's JVM. The build's
 * reproducible-build timestamp ({@code project.build.outputTimestamp}) is the image's
 * SOURCE_DATE_EPOCH unless {@code sourceDateEpoch} is given, so that a reproducible project makes
 * the same image bytes every time.
 */
@Mojo(name = "image", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public final class ImageMojo extends AbstractMojo {
  /** The folder or tar file (.tar, .tar.gz) to build the image from. */
  @Parameter(property = "mpage.source", required = true)
  private File source;

  /** The image to write (replaced only once complete). */
  @Parameter(
      property = "mpage.image",
      defaultValue = "${project.build.directory}/${project.artifactId}.img",
      required = true)
  private File image;

  /** The image size (bytes, or with a K, M or G suffix), or {@code auto}. */
  @Parameter(property = "mpage.size", defaultValue = "auto")
  private String size;

  /** 1024, 2048 or 4096. */
  @Parameter(property = "mpage.blockSize")
  private Integer blockSize;

  /** The filesystem UUID (default: random, or derived from the epoch). */
  @Parameter(property = "mpage.uuid")
  private String uuid;

  /** The volume label. */
  @Parameter(property = "mpage.label")
  private String label;

  /** The directory hash seed, a UUID (default: random, or derived from the epoch). */
  @Parameter(property = "mpage.hashSeed")
  private String hashSeed;

  /** Seconds since 1970: no time in the image is later, and UUID and hash seed derive from it. */
  @Parameter(property = "mpage.sourceDateEpoch")
  private Long sourceDateEpoch;

  /** Maven's reproducible-build timestamp, used as the epoch when none is given. */
  @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
  private String outputTimestamp;

  /** Skips the goal. */
  @Parameter(property = "mpage.skip", defaultValue = "false")
  private boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("mpage image skipped");
      return;
    }
    List<String> argv = new ArrayList<>();
    argv.add("mkfs");
    argv.add(image.getAbsolutePath());
    argv.add(size);
    argv.add("--from");
    argv.add(source.getAbsolutePath());
    option(argv, "--block-size", blockSize == null ? null : blockSize.toString());
    option(argv, "--uuid", uuid);
    option(argv, "--label", label);
    option(argv, "--hash-seed", hashSeed);
    Map<String, String> env = new HashMap<>();
    long epoch = epoch();
    if (epoch >= 0) {
      env.put("SOURCE_DATE_EPOCH", Long.toString(epoch));
    }
    if (image.getParentFile() != null && !image.getParentFile().isDirectory()) {
      if (!image.getParentFile().mkdirs() && !image.getParentFile().isDirectory()) {
        throw new MojoExecutionException("cannot create the folder of " + image);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      Cli cli = new Cli(InputStream.nullInputStream(), out, errStream, false);
      cli.environment(env);
      status = cli.run(argv.toArray(String[]::new));
    }
    String messages = err.toString(StandardCharsets.UTF_8).strip();
    if (status != 0) {
      // the command line's one-line "mpage: <path>: <reason>", as the build's failure
      throw new MojoFailureException(messages.isEmpty() ? "mpage mkfs failed" : messages);
    }
    if (!messages.isEmpty()) {
      getLog().warn(messages);
    }
    getLog()
        .info(
            "mpage: "
                + image
                + " built from "
                + source
                + (epoch >= 0 ? " (SOURCE_DATE_EPOCH " + epoch + ")" : ""));
  }

  private static void option(List<String> argv, String name, String value) {
    if (value != null && !value.isBlank()) {
      argv.add(name);
      argv.add(value);
    }
  }

  /**
   * The epoch: the parameter, else the build's outputTimestamp (seconds, or an ISO 8601 instant as
   * Maven writes it), else -1; a single character timestamp means "not reproducible", as in Maven.
   */
  long epoch() throws MojoExecutionException {
    if (sourceDateEpoch != null) {
      return sourceDateEpoch;
    }
    String t = outputTimestamp;
    if (t == null || t.isBlank() || t.length() < 2) {
      return -1;
    }
    if (t.chars().allMatch(Character::isDigit)) {
      return Long.parseLong(t);
    }
    try {
      return OffsetDateTime.parse(t).toEpochSecond();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(t).getEpochSecond();
      } catch (DateTimeParseException e2) {
        throw new MojoExecutionException(
            "project.build.outputTimestamp is neither seconds nor an ISO 8601 time: " + t, e2);
      }
    }
  }
}
