package org.mpage.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mpage.fs.ext2.E2fs;

/**
 * Extended attributes through a real FUSE mount, by the system calls themselves (Python's os and
 * ctypes, as no attr tools may be installed): values, names, and the errnos a Linux filesystem
 * gives (ENODATA, EEXIST and ENODATA for XATTR_CREATE and XATTR_REPLACE, ERANGE for a buffer too
 * small, ENOSPC, EOPNOTSUPP); then e2fsck and debugfs on the unmounted image.
 */
class FuseXattrTest {
  @TempDir Path work;

  private static final String SCRIPT =
      String.join(
          "\n",
          "import os, errno, ctypes",
          "libc = ctypes.CDLL(None, use_errno=True)",
          "p = 'mnt/f'",
          "open(p, 'w').write('x')",
          "def err(f):",
          "    try:",
          "        f()",
          "        return 'ok'",
          "    except OSError as e:",
          "        return errno.errorcode[e.errno]",
          "out = []",
          "os.setxattr(p, 'user.a', b'value a')",
          "os.setxattr(p, 'trusted.t', b'\\x00\\x01')",
          "out.append(os.getxattr(p, 'user.a').decode())",
          "out.append(','.join(sorted(os.listxattr(p))))",
          "out.append(err(lambda: os.getxattr(p, 'user.none')))",
          "out.append(err(lambda: os.setxattr(p, 'user.a', b'x', os.XATTR_CREATE)))",
          "out.append(err(lambda: os.setxattr(p, 'user.b', b'x', os.XATTR_REPLACE)))",
          "out.append(err(lambda: os.setxattr(p, 'user.a', b'replaced', os.XATTR_REPLACE)))",
          "out.append(err(lambda: os.setxattr(p, 'user.big', b'y' * 1000)))",
          "out.append(err(lambda: os.setxattr(p, 'os2.x', b'1')))",
          "buf = ctypes.create_string_buffer(3)",
          "n = libc.getxattr(p.encode(), b'user.a', buf, 3)",
          "out.append(str(n) + ' ' + errno.errorcode[ctypes.get_errno()])",
          "out.append(str(libc.getxattr(p.encode(), b'user.a', None, 0)))",
          "n = libc.listxattr(p.encode(), buf, 3)",
          "out.append(str(n) + ' ' + errno.errorcode[ctypes.get_errno()])",
          "os.setxattr(p, 'user.gone', b'g')",
          "os.removexattr(p, 'user.gone')",
          "out.append(err(lambda: os.removexattr(p, 'user.gone')))",
          "print('\\n'.join(out))");

  @Test
  void xattrSystemCalls_answerAsALinuxFilesystem() throws Exception {
    Mounted.assumeFuse();
    Path image = E2fs.mkfs(work.resolve("x.img"), "16M", null, "-b", "1024", "-I", "128");
    Path mnt = Files.createDirectory(work.resolve("mnt"));
    Files.writeString(work.resolve("x.py"), SCRIPT);
    String out;
    try (Mounted m = Mounted.mount(image, mnt, false)) {
      out = Mounted.sh(work, "python3 x.py");
    }
    assertEquals(
        String.join(
            "\n",
            "value a",
            "trusted.t,user.a",
            "ENODATA",
            "EEXIST",
            "ENODATA",
            "ok",
            "ENOSPC",
            "ENOTSUP", // EOPNOTSUPP, 95: Python names it so
            "-1 ERANGE",
            "8",
            "-1 ERANGE",
            "ENODATA",
            ""),
        out);
    Mounted.fsck(image);
    assertArrayEquals(
        "replaced".getBytes(StandardCharsets.UTF_8), E2fs.eaGet(image, "/f", "user.a", false));
    assertArrayEquals(new byte[] {0, 1}, E2fs.eaGet(image, "/f", "trusted.t", false));
  }
}
