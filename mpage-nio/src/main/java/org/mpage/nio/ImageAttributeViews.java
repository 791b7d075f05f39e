package org.mpage.nio;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The attribute views of an image's files: {@code basic}, {@code owner}, {@code posix} and {@code
 * unix} (the last read by name only, as on the JDK's Linux filesystem).
 */
final class ImageAttributeViews {
  static final Set<String> NAMES = Set.of("basic", "owner", "posix", "unix");

  private ImageAttributeViews() {}

  static boolean supports(Class<? extends FileAttributeView> type) {
    return type == BasicFileAttributeView.class
        || type == PosixFileAttributeView.class
        || type == FileOwnerAttributeView.class;
  }

  /** The view of {@code path}; one class serves all three since POSIX includes the others. */
  static final class View implements PosixFileAttributeView {
    private final ImagePath path;
    private final boolean follow;
    private final String name;

    View(ImagePath path, boolean follow, String name) {
      this.path = path;
      this.follow = follow;
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public ImageAttributes readAttributes() throws IOException {
      return new ImageAttributes(path.getFileSystem().stat(path, follow));
    }

    /** The path the change applies to: the link's target unless told not to follow. */
    private String target() throws IOException {
      ImageFileSystem fs = path.getFileSystem();
      return follow ? fs.realPath(path, true).apiPath() : path.apiPath();
    }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
        throws IOException {
      if (lastModifiedTime == null && lastAccessTime == null) {
        return; // creation time cannot be set on ext2; the JDK ignores it where unsupported
      }
      long mtime = lastModifiedTime == null ? -1 : lastModifiedTime.to(TimeUnit.SECONDS);
      long atime = lastAccessTime == null ? -1 : lastAccessTime.to(TimeUnit.SECONDS);
      String p = target();
      path.getFileSystem()
          .change(
              fs -> {
                fs.setTimes(p, atime, mtime);
                return null;
              });
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
      return readAttributes().owner();
    }

    @Override
    public void setOwner(UserPrincipal owner) throws IOException {
      long uid = Principals.id(owner);
      String p = target();
      path.getFileSystem()
          .change(
              fs -> {
                fs.setOwner(p, uid, -1);
                return null;
              });
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
      long gid = Principals.id(group);
      String p = target();
      path.getFileSystem()
          .change(
              fs -> {
                fs.setOwner(p, -1, gid);
                return null;
              });
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
      int mode = ImageAttributes.mode(perms);
      String p = target();
      path.getFileSystem()
          .change(
              fs -> {
                int special = fs.lstat(p).permissions() & 07000;
                fs.setAttributes(p, special | mode, fs.lstat(p).mtime());
                return null;
              });
    }

    /** {@code Files.setAttribute(path, "view:name", value)}. */
    void set(String attribute, Object value) throws IOException {
      switch (attribute) {
        case "lastModifiedTime" -> setTimes((FileTime) value, null, null);
        case "lastAccessTime" -> setTimes(null, (FileTime) value, null);
        case "creationTime" -> setTimes(null, null, (FileTime) value);
        case "owner" -> setOwner((UserPrincipal) value);
        case "group" -> setGroup((GroupPrincipal) value);
        case "permissions" -> {
          @SuppressWarnings("unchecked")
          Set<PosixFilePermission> perms = (Set<PosixFilePermission>) value;
          setPermissions(perms);
        }
        case "uid" -> setOwner(new Principals.User(((Number) value).longValue()));
        case "gid" -> setGroup(new Principals.Group(((Number) value).longValue()));
        case "mode" -> {
          int mode = ((Number) value).intValue() & 07777;
          String p = target();
          path.getFileSystem()
              .change(
                  fs -> {
                    fs.setAttributes(p, mode, fs.lstat(p).mtime());
                    return null;
                  });
        }
        default ->
            throw new IllegalArgumentException("'" + attribute + "' cannot be set in " + name);
      }
    }
  }

  /** Splits {@code "view:a,b"} (the view defaults to basic). */
  record Request(String view, List<String> names) {
    static Request parse(String attributes) {
      int colon = attributes.indexOf(':');
      String view = colon < 0 ? "basic" : attributes.substring(0, colon);
      String list = colon < 0 ? attributes : attributes.substring(colon + 1);
      if (!NAMES.contains(view)) {
        throw new UnsupportedOperationException("view '" + view + "' is not available");
      }
      return new Request(view, List.of(list.split(",")));
    }

    Map<String, Object> select(ImageAttributes attrs) {
      Map<String, Object> all = attrs.asMap(view);
      Map<String, Object> out = new java.util.HashMap<>();
      for (String n : names) {
        if (n.equals("*")) {
          out.putAll(all);
        } else if (all.containsKey(n)) {
          out.put(n, all.get(n));
        } else {
          throw new IllegalArgumentException("'" + n + "' is not an attribute of " + view);
        }
      }
      return out;
    }
  }
}
