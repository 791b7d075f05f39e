package org.mpage.nio;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A path in an image: a string of names separated by {@code /}, absolute when it starts with one.
 * Pure syntax, as {@link Path} requires; nothing here touches the image except {@link #toRealPath}.
 * Names are the api's strings, so a name whose bytes are not UTF-8 keeps them exactly.
 */
final class ImagePath implements Path {
  private final ImageFileSystem fs;
  private final String path; // no "//", no trailing "/" except the root itself
  private volatile int[] offsets;

  ImagePath(ImageFileSystem fs, String path) {
    this.fs = fs;
    this.path = normalizeSlashes(path);
  }

  private static String normalizeSlashes(String p) {
    if (p.indexOf('\0') >= 0) {
      throw new java.nio.file.InvalidPathException(p, "a name cannot contain NUL");
    }
    StringBuilder sb = new StringBuilder(p.length());
    char prev = 0;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '/' && prev == '/') {
        continue;
      }
      sb.append(c);
      prev = c;
    }
    if (sb.length() > 1 && sb.charAt(sb.length() - 1) == '/') {
      sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }

  /** The path as the api takes it: absolute, from the image's root. */
  String apiPath() {
    return isAbsolute() ? path : (path.isEmpty() ? "/" : "/" + path);
  }

  private int[] offsets() {
    int[] o = offsets;
    if (o == null) {
      List<Integer> starts = new ArrayList<>();
      int i = path.startsWith("/") ? 1 : 0;
      if (!path.isEmpty() && i < path.length()) {
        starts.add(i);
        for (; i < path.length(); i++) {
          if (path.charAt(i) == '/') {
            starts.add(i + 1);
          }
        }
      } else if (path.isEmpty()) {
        starts.add(0); // the empty path has one, empty, name
      }
      o = starts.stream().mapToInt(Integer::intValue).toArray();
      offsets = o;
    }
    return o;
  }

  private String name(int i) {
    int[] o = offsets();
    int end = i + 1 < o.length ? o[i + 1] - 1 : path.length();
    return path.substring(o[i], end);
  }

  @Override
  public ImageFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return path.startsWith("/");
  }

  @Override
  public Path getRoot() {
    return isAbsolute() ? fs.root() : null;
  }

  @Override
  public Path getFileName() {
    int n = getNameCount();
    if (n == 0) {
      return null;
    }
    if (n == 1 && !isAbsolute()) {
      return this;
    }
    return new ImagePath(fs, name(n - 1));
  }

  @Override
  public Path getParent() {
    int n = getNameCount();
    if (n == 0 || (n == 1 && !isAbsolute())) {
      return null;
    }
    if (n == 1) {
      return fs.root();
    }
    return new ImagePath(fs, path.substring(0, offsets()[n - 1] - 1));
  }

  @Override
  public int getNameCount() {
    return path.equals("/") ? 0 : offsets().length;
  }

  @Override
  public Path getName(int index) {
    if (index < 0 || index >= getNameCount()) {
      throw new IllegalArgumentException("no name " + index + " in " + path);
    }
    return new ImagePath(fs, name(index));
  }

  @Override
  public Path subpath(int beginIndex, int endIndex) {
    int n = getNameCount();
    if (beginIndex < 0 || beginIndex >= n || endIndex > n || beginIndex >= endIndex) {
      throw new IllegalArgumentException(
          "no names " + beginIndex + ".." + endIndex + " in " + path);
    }
    int[] o = offsets();
    int end = endIndex < o.length ? o[endIndex] - 1 : path.length();
    return new ImagePath(fs, path.substring(o[beginIndex], end));
  }

  private String[] names() {
    String[] out = new String[getNameCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = name(i);
    }
    return out;
  }

  @Override
  public boolean startsWith(Path other) {
    if (!(other instanceof ImagePath o) || o.fs != fs) {
      return false;
    }
    if (o.isAbsolute() != isAbsolute()) {
      return false;
    }
    if (o.path.isEmpty()) {
      return path.isEmpty();
    }
    String[] mine = names();
    String[] theirs = o.names();
    if (theirs.length > mine.length) {
      return false;
    }
    return Arrays.equals(Arrays.copyOf(mine, theirs.length), theirs);
  }

  @Override
  public boolean endsWith(Path other) {
    if (!(other instanceof ImagePath o) || o.fs != fs) {
      return false;
    }
    if (o.isAbsolute()) {
      return o.path.equals(path);
    }
    if (o.path.isEmpty()) {
      return path.isEmpty();
    }
    String[] mine = names();
    String[] theirs = o.names();
    if (theirs.length > mine.length) {
      return false;
    }
    return Arrays.equals(
        Arrays.copyOfRange(mine, mine.length - theirs.length, mine.length), theirs);
  }

  @Override
  public Path normalize() {
    List<String> out = new ArrayList<>();
    for (String name : names()) {
      if (name.equals(".") || name.isEmpty()) {
        continue;
      }
      if (name.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
          continue;
        }
        if (isAbsolute()) {
          continue; // ".." of the root is the root
        }
      }
      out.add(name);
    }
    String joined = String.join("/", out);
    return new ImagePath(fs, isAbsolute() ? "/" + joined : joined);
  }

  @Override
  public Path resolve(Path other) {
    ImagePath o = check(other);
    if (o.isAbsolute()) {
      return o;
    }
    if (o.path.isEmpty()) {
      return this;
    }
    if (path.isEmpty()) {
      return o;
    }
    return new ImagePath(fs, path.equals("/") ? "/" + o.path : path + "/" + o.path);
  }

  @Override
  public Path relativize(Path other) {
    ImagePath child = check(other);
    if (child.isAbsolute() != isAbsolute()) {
      throw new IllegalArgumentException("'" + other + "' and '" + this + "' differ in kind");
    }
    if (child.equals(this)) {
      return new ImagePath(fs, "");
    }
    if (path.isEmpty()) {
      return child;
    }
    ImagePath base = this;
    if (hasDots() || child.hasDots()) {
      // As the JDK's Unix paths do: compare the normal forms.
      base = (ImagePath) base.normalize();
      child = (ImagePath) child.normalize();
      if (base.path.isEmpty()) {
        return child;
      }
    }
    int baseCount = base.getNameCount();
    int childCount = child.getNameCount();
    int i = 0;
    while (i < Math.min(baseCount, childCount) && base.name(i).equals(child.name(i))) {
      i++;
    }
    ImagePath rest =
        i == childCount ? new ImagePath(fs, "") : (ImagePath) child.subpath(i, childCount);
    if (i == baseCount) {
      return rest;
    }
    if (((ImagePath) base.subpath(i, baseCount)).hasDots()) {
      throw new IllegalArgumentException(
          "cannot relativize '" + other + "' against '" + this + "'");
    }
    List<String> out = new ArrayList<>();
    for (int k = i; k < baseCount; k++) {
      out.add("..");
    }
    if (!rest.path.isEmpty()) {
      out.add(rest.path);
    }
    return new ImagePath(fs, String.join("/", out));
  }

  private boolean hasDots() {
    for (String n : names()) {
      if (n.equals(".") || n.equals("..")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public URI toUri() {
    String image = fs.imageUri().toString();
    try {
      return new URI(
          ImageFileSystemProvider.SCHEME + ":" + image + "!" + encode(apiPath(isAbsolute())));
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot make a URI of " + this, e);
    }
  }

  private String apiPath(boolean absolute) {
    return absolute ? path : ((ImagePath) toAbsolutePath()).path;
  }

  /** Percent-encodes what a URI path may not hold, byte by byte of the name's UTF-8. */
  private static String encode(String p) {
    StringBuilder sb = new StringBuilder();
    for (byte b : org.mpage.api.fs.Names.toBytes(p)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "/-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  @Override
  public Path toAbsolutePath() {
    return isAbsolute() ? this : fs.root().resolve(this);
  }

  @Override
  public Path toRealPath(LinkOption... options) throws IOException {
    return fs.realPath(this, ImageFileSystemProvider.followLinks(options));
  }

  @Override
  public WatchKey register(
      WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("images have no watch service");
  }

  @Override
  public int compareTo(Path other) {
    return path.compareTo(check(other).path);
  }

  private ImagePath check(Path other) {
    if (!(other instanceof ImagePath o)) {
      throw new ProviderMismatchException(
          other == null ? "null path" : other.getClass().getName() + " is not an image path");
    }
    return o;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImagePath p && p.fs == fs && p.path.equals(path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(fs), path);
  }

  @Override
  public String toString() {
    return path;
  }
}
