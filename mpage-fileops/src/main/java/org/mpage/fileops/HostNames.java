package org.mpage.fileops;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Names crossing between an image and the host. An image name is bytes; the JVM decodes host file
 * names in its file-name encoding ({@code sun.jnu.encoding}, from the locale) and replaces bytes it
 * cannot decode, so two different host names can come out as one string. A name is therefore only
 * used when it maps exactly, both ways; otherwise that one entry is refused with a reason, and two
 * names are never merged into one.
 */
final class HostNames {
  private HostNames() {}

  /** The JVM's host file-name encoding, for messages. */
  static String encoding() {
    return System.getProperty("sun.jnu.encoding", "the locale's encoding");
  }

  /** Why an image name cannot be a host file name, or null if it can. */
  static String unusable(String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      return "name cannot be used as a host file name";
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
      return "name holds a '/' or NUL byte and cannot be a host file name";
    }
    return null;
  }

  /**
   * The host path for image entry {@code name} in host folder {@code dir}.
   *
   * @throws IllegalArgumentException with the reason, if the name has no exact host equivalent
   */
  static Path child(Path dir, String name) {
    String bad = unusable(name);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    Path p;
    try {
      p = dir.resolve(name);
    } catch (InvalidPathException e) {
      p = null;
    }
    if (p == null || p.getFileName() == null || !p.getFileName().toString().equals(name)) {
      throw new IllegalArgumentException(
          "name cannot be written exactly in the host's file name encoding ("
              + encoding()
              + "); skipped");
    }
    return p;
  }

  /**
   * Whether a host path listed from {@code dir} has a name the JVM decoded exactly: re-encoding the
   * decoded string gives back the same bytes (paths compare by their bytes).
   */
  static boolean exact(Path dir, Path listed) {
    try {
      return dir.resolve(listed.getFileName().toString()).equals(listed);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** Whether a symbolic link target read from the host was decoded exactly. */
  static boolean exactTarget(Path target) {
    try {
      return Path.of(target.toString()).equals(target);
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
