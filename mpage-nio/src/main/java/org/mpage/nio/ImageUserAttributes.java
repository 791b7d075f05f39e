package org.mpage.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mpage.api.fs.XattrException;
import org.mpage.api.fs.XattrMode;

/**
 * The {@code user} view: an image file's extended attributes of the {@code user.} namespace, names
 * given without the prefix, as the JDK's Linux view does. Errors are worded as the JDK words them
 * ({@code Unable to get size of extended attribute 'x': No data available}, {@code Insufficient
 * space in buffer}). With {@code NOFOLLOW_LINKS} the link's own attributes are used (the api acts
 * on a link itself; the JDK's view fails on a link there).
 */
final class ImageUserAttributes implements UserDefinedFileAttributeView {
  static final String NAME = "user";
  private static final String PREFIX = "user.";

  private final ImagePath path;
  private final boolean follow;

  ImageUserAttributes(ImagePath path, boolean follow) {
    this.path = path;
    this.follow = follow;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The path the api acts on: the link's target unless told not to follow. */
  private String target() throws IOException {
    return follow ? path.getFileSystem().realPath(path, true).apiPath() : path.apiPath();
  }

  /** The JDK's message for a failed attribute call, with strerror's text for the api's kind. */
  private FileSystemException failed(String what, String name, XattrException e) {
    String why =
        switch (e.kind()) {
          case NO_SUCH_ATTRIBUTE -> "No data available";
          case EXISTS -> "File exists";
          case TOO_LARGE -> "Numerical result out of range";
          case NO_SPACE -> "No space left on device";
          case UNSUPPORTED -> "Operation not supported";
          case INVALID -> "Invalid argument";
        };
    FileSystemException f =
        new FileSystemException(path.toString(), null, what + " '" + name + "': " + why);
    f.initCause(e);
    return f;
  }

  @Override
  public List<String> list() throws IOException {
    String p = target();
    List<String> out = new ArrayList<>();
    for (String n : path.getFileSystem().call(fs -> fs.listXattr(p))) {
      if (n.startsWith(PREFIX)) {
        out.add(n.substring(PREFIX.length()));
      }
    }
    return out;
  }

  private byte[] value(String what, String name) throws IOException {
    String p = target();
    try {
      return path.getFileSystem().call(fs -> fs.getXattr(p, PREFIX + name));
    } catch (XattrException e) {
      throw failed(what, name, e);
    }
  }

  @Override
  public int size(String name) throws IOException {
    return value("Unable to get size of extended attribute", name).length;
  }

  @Override
  public int read(String name, ByteBuffer dst) throws IOException {
    byte[] v = value("Error reading extended attribute", name);
    if (dst.remaining() < v.length) {
      throw new FileSystemException(
          path.toString(),
          null,
          "Error reading extended attribute '" + name + "': Insufficient space in buffer");
    }
    dst.put(v);
    return v.length;
  }

  @Override
  public int write(String name, ByteBuffer src) throws IOException {
    byte[] v = new byte[src.remaining()];
    src.duplicate().get(v);
    String p = target();
    try {
      path.getFileSystem()
          .change(
              fs -> {
                fs.setXattr(p, PREFIX + name, v, XattrMode.CREATE_OR_REPLACE);
                return null;
              });
    } catch (XattrException e) {
      throw failed("Error writing extended attribute", name, e);
    }
    src.position(src.limit());
    return v.length;
  }

  @Override
  public void delete(String name) throws IOException {
    String p = target();
    try {
      path.getFileSystem()
          .change(
              fs -> {
                fs.removeXattr(p, PREFIX + name);
                return null;
              });
    } catch (XattrException e) {
      throw failed("Unable to delete extended attribute", name, e);
    }
  }

  /** {@code Files.readAttributes(path, "user:a,b")} or {@code "user:*"}: names to byte arrays. */
  Map<String, Object> read(List<String> names) throws IOException {
    Map<String, Object> out = new HashMap<>();
    List<String> wanted = names.contains("*") ? list() : names;
    for (String n : wanted) {
      out.put(n, value("Error reading extended attribute", n));
    }
    return out;
  }

  /** {@code Files.setAttribute(path, "user:name", value)}: a byte array or a buffer. */
  void set(String name, Object value) throws IOException {
    ByteBuffer b =
        value instanceof byte[] a ? ByteBuffer.wrap(a) : ((ByteBuffer) value).duplicate();
    write(name, b);
  }
}
