package org.mpage.cli;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The IMAGE argument: an image file, or an NBD URI ({@code nbd://HOST[:PORT]/EXPORT}, {@code
 * nbd+unix:///EXPORT?socket=PATH}) whose export is opened by the device provider of type {@code
 * nbd}. The URI is kept as typed: a {@link Path} would fold its double slashes.
 *
 * @param text the argument as given, which error lines name
 * @param file the image file, or null for an NBD URI
 */
record Image(String text, Path file) {
  /** The argument {@code text} as an image. */
  static Image of(String text) {
    return isNbd(text) ? new Image(text, null) : new Image(text, Path.of(text));
  }

  /** An image file. */
  static Image of(Path file) {
    return new Image(file.toString(), file);
  }

  /** Whether {@code text} names an NBD export (TLS schemes too, which the device refuses). */
  static boolean isNbd(String text) {
    return text.toLowerCase(Locale.ROOT).matches("nbds?(\\+unix)?://.*");
  }

  boolean isNbd() {
    return file == null;
  }

  @Override
  public String toString() {
    return text;
  }
}
