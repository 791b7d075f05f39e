package org.mpage.fileops;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.mpage.api.fs.FileStat;
import org.mpage.api.fs.FileType;

/**
 * A tar archive (plain or gzip, told apart by their first bytes) as a {@link TreeSource}, read by
 * Apache Commons Compress: ustar, GNU and pax members (long names, numeric owners, pax times),
 * hard-link members as hard links, devices and FIFOs.
 *
 * <p>Member names are checked before anything is made: an absolute name or one with a {@code ..}
 * component ends the build, as does a member type this reader cannot store (tar's own volume and
 * multi-volume headers). A leading {@code ./} is dropped, so {@code tar -C dir .} and {@code tar
 * dir/*} archives both work; {@code .} itself is the root. A member under a symbolic link member is
 * refused by the builder, which knows which paths are symbolic links. Names are read as UTF-8 (pax
 * names always are); a name that is not valid UTF-8 is refused rather than stored changed.
 */
final class TarSource implements TreeSource {
  private final String name;
  private final Counting counted;
  private final TarArchiveInputStream tar;
  private final long total;

  /**
   * @param name what error lines call the archive (its path, or {@code -} for standard input)
   * @param total the archive's size for a progress bar, 0 if unknown
   */
  TarSource(InputStream raw, String name, long total) throws IOException {
    this.name = name;
    this.total = total;
    this.counted = new Counting(raw);
    BufferedInputStream in = new BufferedInputStream(counted, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    InputStream body;
    try {
      body = b0 == 0x1f && b1 == 0x8b ? new GzipCompressorInputStream(in) : in;
    } catch (IOException e) {
      throw new PathException(name, "not a gzip stream: " + Errors.reason(e), e);
    }
    this.tar = new TarArchiveInputStream(body, "UTF-8");
  }

  @Override
  public Entry next() throws IOException {
    TarArchiveEntry e;
    try {
      e = tar.getNextEntry();
    } catch (IOException | IllegalArgumentException x) {
      throw new PathException(name, "not a valid tar archive: " + reason(x), x);
    }
    if (e == null) {
      return null;
    }
    String path = memberPath(e.getName());
    int mode = e.getMode() & 07777;
    // base-256 ids (GNU tar's, above 2^21) come back sign-extended from 32 bits
    long uid = e.getLongUserId() & 0xffff_ffffL;
    long gid = e.getLongGroupId() & 0xffff_ffffL;
    long mtime = seconds(e.getLastModifiedTime(), 0);
    long atime = seconds(e.getLastAccessTime(), mtime);
    if (e.isLink()) {
      return new Entry(
          path,
          FileType.REGULAR,
          mode,
          uid,
          gid,
          atime,
          mtime,
          0,
          0,
          memberPath(e.getLinkName()),
          true);
    }
    if (e.isSymbolicLink()) {
      return new Entry(
          path, FileType.SYMLINK, 0777, uid, gid, atime, mtime, 0, 0, e.getLinkName(), false);
    }
    if (e.isDirectory()) {
      return new Entry(path, FileType.DIRECTORY, mode, uid, gid, atime, mtime, 0, 0, null, false);
    }
    if (e.isCharacterDevice() || e.isBlockDevice()) {
      return new Entry(
          path,
          e.isCharacterDevice() ? FileType.CHAR_DEVICE : FileType.BLOCK_DEVICE,
          mode,
          uid,
          gid,
          atime,
          mtime,
          0,
          FileStat.makedev(e.getDevMajor(), e.getDevMinor()),
          null,
          false);
    }
    if (e.isFIFO()) {
      return new Entry(path, FileType.FIFO, mode, uid, gid, atime, mtime, 0, 0, null, false);
    }
    if (e.isFile()) {
      return new Entry(
          path, FileType.REGULAR, mode, uid, gid, atime, mtime, e.getRealSize(), 0, null, false);
    }
    throw new PathException(
        name + ": " + e.getName(),
        "unsupported tar member type '" + (char) e.getLinkFlag() + "'",
        null);
  }

  // what GNU tar (SCHILY.xattr.NAME, the value's bytes) and libarchive (LIBARCHIVE.xattr.NAME,
  // the name %-encoded and the value base64) write for a member's extended attributes
  private static final String SCHILY = "SCHILY.xattr.";
  private static final String LIBARCHIVE = "LIBARCHIVE.xattr.";

  /**
   * The current member's extended attributes from its pax headers. libarchive's form is exact; GNU
   * tar's value reaches us as Commons Compress decoded it (UTF-8), so a binary value is exact only
   * from libarchive's form, which wins when a member has both.
   */
  @Override
  public Map<String, byte[]> xattrs() throws IOException {
    TarArchiveEntry e = tar.getCurrentEntry();
    if (e == null) {
      return Map.of();
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
      String key = h.getKey();
      if (key.startsWith(SCHILY) && key.length() > SCHILY.length()) {
        out.putIfAbsent(
            key.substring(SCHILY.length()), h.getValue().getBytes(StandardCharsets.UTF_8));
      }
    }
    for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
      String key = h.getKey();
      if (key.startsWith(LIBARCHIVE) && key.length() > LIBARCHIVE.length()) {
        String xname =
            URLDecoder.decode(
                key.substring(LIBARCHIVE.length()).replace("+", "%2B"), StandardCharsets.UTF_8);
        try {
          out.put(xname, Base64.getDecoder().decode(h.getValue().trim()));
        } catch (IllegalArgumentException bad) {
          throw new PathException(
              name + ": " + e.getName(), "pax header " + key + " is not base64", bad);
        }
      }
    }
    return out;
  }

  /** A member name as an image path: no absolute names, no {@code ..}, {@code ./} dropped. */
  private String memberPath(String member) throws PathException {
    if (member.startsWith("/")) {
      throw new PathException(name + ": " + member, "absolute member name refused", null);
    }
    StringBuilder path = new StringBuilder();
    for (String part : member.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new PathException(name + ": " + member, "member name with '..' refused", null);
      }
      path.append('/').append(part);
    }
    return path.isEmpty() ? "/" : path.toString();
  }

  private static long seconds(FileTime t, long orElse) {
    return t == null ? orElse : Math.floorDiv(t.toMillis(), 1000);
  }

  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  @Override
  public InputStream content() {
    return new FilterInputStream(tar) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException | IllegalArgumentException x) {
          throw new PathException(name, "truncated or damaged tar archive: " + reason(x), x);
        }
      }

      @Override
      public void close() {
        // the archive stays open for the next member
      }
    };
  }

  @Override
  public long bytesRead() {
    return counted.count;
  }

  @Override
  public long totalBytes() {
    return total;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  /** Counts what the archive's reader consumed, for progress. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
