package org.mpage.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The command line's help: the usage text printed with a usage error and by {@code --help}, one
 * command's synopsis, description and options ({@code mpage help COMMAND}), and the version.
 */
final class Usage {
  private Usage() {}

  /** One command: its synopsis, the summary shown in the usage text, more, and its options. */
  record Command(String synopsis, String summary, String about, List<String> options) {}

  private static final String GLOBAL =
      "usage: mpage [--stats] [--trace FILE] [--data-path mpage|buffer] [--debug]"
          + " [--device file|ramdisk] [--fault TYPE[:KEY=VALUE,...]] [--read-only] COMMAND ...";

  /** Every command, in the order of the usage text. */
  static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    add("info IMAGE", "superblock summary", "The superblock of the image's ext2 filesystem.");
    add(
        "ls [-l] IMAGE [PATH]",
        "one name per line",
        "The names in directory PATH (default /), or the name of a file. Names are written as"
            + " their bytes, or escaped as ls -b does when standard output is a terminal.",
        "-l  long format: mode, links, uid, gid, size (a device's major, minor), mtime (UTC),"
            + " name; a symlink's target after ->");
    add("cat IMAGE PATH", "bytes to stdout (symlinks followed)", "The file's bytes on stdout.");
    add(
        "stat IMAGE PATH",
        "",
        "The inode of PATH (a symlink itself, not its target): size, blocks, type, inode, links,"
            + " mode, owner and times (UTC).");
    add(
        "get [-r] IMAGE PATH LOCAL",
        "copy out (symlinks kept as symlinks)",
        "Copies PATH to host path LOCAL, or into it when LOCAL is a folder. Holes stay holes;"
            + " mode and mtime are kept.",
        "-r  copy a directory and everything under it");
    add(
        "mkfs IMAGE SIZE|auto [--block-size 1024|2048|4096] [--from DIR|TAR|-] [--uuid UUID]"
            + " [--label LABEL] [--hash-seed UUID]",
        "new ext2; with --from, built from a folder or a tar (stdin: -)",
        "Creates (or replaces) a sparse image file of SIZE bytes (suffix K, M, G, T or P) and"
            + " formats it as ext2. With --from, fills it in the same run from a folder, a tar or"
            + " tar.gz file, or a tar on standard input (-): owners, modes, times, hard links,"
            + " symlinks, devices, FIFOs and sockets as the source has them, a folder in sorted"
            + " name order. The image is built under a temporary name beside IMAGE and renamed"
            + " over it only when complete. SIZE auto is the smallest image whose free blocks and"
            + " inodes hold the tree with a 10% margin (at least 64 blocks and 16 inodes),"
            + " rounded up to a whole MiB; sparse files count at their full size. With"
            + " SOURCE_DATE_EPOCH set, no time in the image is later than it and the UUID and hash"
            + " seed not given are derived from it: the same input gives the same image, byte for"
            + " byte.",
        "--block-size N  the block size: 1024, 2048 or 4096 (default 4096)",
        "--from SOURCE  a folder, a tar or tar.gz file, or - for a tar on standard input",
        "--uuid UUID  the filesystem UUID (default random, or from SOURCE_DATE_EPOCH)",
        "--label LABEL  the volume label, at most 16 bytes",
        "--hash-seed UUID  the directory hash seed (default random, or from SOURCE_DATE_EPOCH)");
    add(
        "put [-r] [--owner UID:GID] [--mode OCTAL] IMAGE LOCAL PATH",
        "copy in (replaces an existing file)",
        "Copies host file LOCAL to PATH, or into it when PATH is a directory. Each file is"
            + " written under a temporary name and renamed over the target when complete. A copy"
            + " keeps its source's mode, access and modification times, and owner and group.",
        "-r  copy a folder and everything under it (symlinks kept as symlinks; FIFOs, sockets and"
            + " devices made again)",
        "--owner UID:GID  owner and group of every copy (numbers), as install -o/-g",
        "--mode OCTAL  permission bits of every copy but directories, as install -m");
    add(
        "mknod [-m MODE] IMAGE PATH TYPE [MAJOR MINOR]",
        "",
        "Makes a special file as mknod(1): TYPE c (or u) a character device, b a block device"
            + " (both numbered MAJOR MINOR), p a FIFO, s a socket.",
        "-m MODE  permission bits in octal (default 0644)");
    add(
        "write IMAGE PATH [--offset N]",
        "stdin written at offset N (file created if missing)",
        "Writes standard input into PATH; the rest of the file is kept.",
        "--offset N  where to start writing, in bytes (suffix K, M, G, T or P); default 0");
    add(
        "mkdir [-p] IMAGE PATH",
        "",
        "Makes directory PATH, mode 0755.",
        "-p  make missing parents too; no error if PATH exists");
    add(
        "rm [-r] IMAGE PATH",
        "",
        "Removes a file or symlink.",
        "-r  remove a directory and everything under it");
    add("mv IMAGE FROM TO", "", "Renames FROM to TO, or moves it into TO when TO is a directory.");
    add(
        "ln [-s] IMAGE TARGET PATH",
        "",
        "Makes PATH a hard link to file TARGET.",
        "-s  make PATH a symbolic link holding TARGET");
    add(
        "truncate IMAGE PATH SIZE",
        "",
        "Sets the file's size (suffix K, M, G, T or P): cut, or grown with a hole.");
    add(
        "getfattr [-d] [-n NAME] [-m PATTERN] [-e ENC] IMAGE PATH",
        "",
        "The extended attributes of PATH (a symlink itself, not its target), as getfattr prints"
            + " them: # file: PATH, then the names matching PATTERN (default ^user\\.), sorted;"
            + " nothing if none matches.",
        "-d  dump the values too: name=\"text\", 0x hex or 0s base64",
        "-n NAME  only attribute NAME, with its value; an error if it is missing",
        "-m PATTERN  names matching this regular expression; - for all",
        "-e ENC  encode values as text, hex or base64 (default: text if printable, else base64)");
    add(
        "setfattr -n NAME [-v VALUE] | -x NAME IMAGE PATH",
        "",
        "Sets or removes an extended attribute of PATH (a symlink itself, not its target), as"
            + " setfattr does: user., trusted., security., system.posix_acl_access and"
            + " system.posix_acl_default (ACLs in the xattr format getfattr shows).",
        "-n NAME  the attribute to set (created or replaced)",
        "-v VALUE  its value: \"text\" (\\ooo escapes), 0x hex, 0s base64 or plain text;"
            + " default empty",
        "-x NAME  remove the attribute");
    add(
        "mount [-o ro] IMAGE DIR",
        "FUSE mount in the foreground; fusermount -u or Ctrl-C syncs and ends",
        "Shows the image's filesystem at host directory DIR through FUSE (libfuse 2) until"
            + " fusermount -u DIR, Ctrl-C or SIGTERM, then unmounts, syncs and closes the image."
            + " Any program can use the files meanwhile; errors reach it as errnos (ENOSPC, EROFS,"
            + " EIO for corruption ...).",
        "-o ro  mount read-only (as --read-only); -o rw is the default");
    add(
        "plot TRACE [TRACE...] OUT.svg",
        "BIO traces (--trace) drawn as sector against time",
        "Draws BIO traces written with --trace FILE into one SVG.");
    add(
        "bench [--quick]",
        "the benchmark harness (./mpage bench)",
        "Runs the benchmark harness; only through the ./mpage script.",
        "--quick  small sizes, a few seconds");
    add(
        "container",
        "Felix with all bundles (./mpage container)",
        "Starts the OSGi container with a Gogo shell; only through the ./mpage script.");
  }

  private static void add(String synopsis, String summary, String about, String... options) {
    COMMANDS.put(
        synopsis.substring(
            0, synopsis.indexOf(' ') < 0 ? synopsis.length() : synopsis.indexOf(' ')),
        new Command(synopsis, summary, about, List.of(options)));
  }

  /** The usage text printed after a usage error: the global options and every command. */
  static final String TEXT = text();

  private static String text() {
    StringBuilder sb = new StringBuilder(GLOBAL);
    for (Command c : COMMANDS.values()) {
      // a synopsis longer than the column keeps two spaces before its summary
      String synopsis = c.synopsis().length() >= 32 ? c.synopsis() + "  " : c.synopsis();
      sb.append('\n').append(String.format("  %-32s%s", synopsis, c.summary()).stripTrailing());
    }
    return sb.toString();
  }

  /** What {@code --help} prints: the usage text, the global options and where to read more. */
  static String help() {
    return String.join(
        "\n",
        TEXT,
        "IMAGE is an image file or an NBD export: nbd://HOST[:PORT]/EXPORT (port 10809 unless",
        "  given) or nbd+unix:///EXPORT?socket=PATH",
        "global options:",
        "  --stats                   I/O statistics on stderr at exit",
        "  --trace FILE              every BIO written to FILE (see plot)",
        "  --data-path mpage|buffer  the read and write path of file data (default mpage)",
        "  --debug                   stack traces and debug logging",
        "  --device file|ramdisk     the image as a file device (default) or copied to a RAM disk",
        "  --fault TYPE[:K=V,...]    stack a fault target on the image's device (repeatable):",
        "                            flakey:up_ms=N,down_ms=N (or up_bios, down_bios),mode=error|",
        "                              error-reads|error-writes|drop-writes|corrupt-reads|",
        "                              corrupt-writes[,corrupt_byte=N,corrupt_value=V]",
        "                            dust:blocks=N+N...[,block_size=B,enabled=false]",
        "                            delay:read_ms=N[,write_ms=N]",
        "  --read-only               mount read-only: every change fails",
        "  --no-csum                 read on past ext4 metadata checksum mismatches (csum=ignore)",
        "  --help, -h                this text; mpage help COMMAND for one command",
        "  --version                 the version");
  }

  /** {@code mpage help COMMAND}: the synopsis, what it does and its options; null if unknown. */
  static String help(String command) {
    Command c = COMMANDS.get(command);
    if (c == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder("usage: mpage ").append(c.synopsis()).append('\n');
    sb.append(c.about()).append('\n');
    if (c.options().isEmpty()) {
      sb.append("options: none\n");
    } else {
      sb.append("options:\n");
      for (String o : c.options()) {
        sb.append("  ").append(o).append('\n');
      }
    }
    return sb.toString();
  }

  /** The version, from the resource the build writes; {@code unknown} if it is missing. */
  static String version() {
    try (InputStream in = Usage.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
