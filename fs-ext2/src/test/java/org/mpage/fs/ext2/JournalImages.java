package org.mpage.fs.ext2;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Images with dirty journals, made by e2fsprogs: {@code mke2fs -t ext3}, debugfs's journal commands
 * ({@code jo}, {@code jw}, {@code jc}), and e2fsck's journal recovery as the oracle. Also the
 * byte-level edits the corruption tests make to a journal.
 */
final class JournalImages {
  private JournalImages() {}

  /** {@code mke2fs -q -F -t ext3 -b blockSize [options] image size}. */
  static Path ext3(Path image, String size, int blockSize, String... options)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                E2fs.tool("mke2fs"), "-q", "-F", "-t", "ext3", "-b", String.valueOf(blockSize)));
    cmd.addAll(List.of(options));
    cmd.add(image.toString());
    cmd.add(size);
    E2fs.run(cmd);
    return image;
  }

  /** Runs debugfs -w with {@code lines} as its script; returns what it printed. */
  static String debugfs(Path image, String... lines) throws IOException, InterruptedException {
    Path script = Files.createTempFile(image.getParent(), "debugfs", ".txt");
    Files.write(script, List.of(lines));
    try {
      String out =
          E2fs.run(List.of(E2fs.tool("debugfs"), "-w", "-f", script.toString(), image.toString()));
      for (String line : out.split("\n", -1)) {
        // a failing command prints "name: reason" (jw: Journal not open); progress lines do not
        if (!line.startsWith("debugfs") && line.matches("[A-Za-z_0-9]+: .*")) {
          throw new IOException("debugfs complained: " + line + "\n" + out);
        }
      }
      return out;
    } finally {
      Files.delete(script);
    }
  }

  /** A copy of {@code image} recovered by {@code e2fsck -y -E journal_only}: the oracle. */
  static Path recoveredCopy(Path image) throws IOException, InterruptedException {
    Path copy = image.resolveSibling(image.getFileName() + ".e2fsck");
    Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
    Process p =
        new ProcessBuilder(E2fs.tool("e2fsck"), "-y", "-E", "journal_only", copy.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() > 1) {
      throw new IOException("e2fsck failed: " + out);
    }
    return copy;
  }

  /**
   * The filesystem blocks of the journal inode, in journal order: the data ranges of {@code debugfs
   * stat <8>} ({@code (0-11):562-573}), without its indirect and extent tree blocks.
   */
  static long[] journalBlocks(Path image) throws IOException, InterruptedException {
    String out = E2fs.debugfs(image, false, "stat <8>");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)(?:-(\\d+))?")
            .matcher(out.substring(Math.max(out.indexOf("BLOCKS:"), out.indexOf("EXTENTS:"))));
    List<Long> blocks = new ArrayList<>();
    while (m.find()) {
      long from = Long.parseLong(m.group(1));
      long to = m.group(2) == null ? from : Long.parseLong(m.group(2));
      long at = Long.parseLong(m.group(3));
      if (from != blocks.size()) {
        throw new IOException("journal map not in order at " + from + ": " + out);
      }
      for (long i = from; i <= to; i++) {
        blocks.add(at + i - from);
      }
    }
    return blocks.stream().mapToLong(Long::longValue).toArray();
  }

  /** Filesystem block {@code block} of the image file. */
  static byte[] block(Path image, long block, int blockSize) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
      byte[] out = new byte[blockSize];
      f.seek(block * blockSize);
      f.readFully(out);
      return out;
    }
  }

  static void writeBlock(Path image, long block, byte[] data) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.seek(block * data.length);
      f.write(data);
    }
  }

  /** Changes journal block {@code n} in place (big-endian buffer over the whole block). */
  static void editJournalBlock(Path image, int blockSize, long n, Consumer<ByteBuffer> edit)
      throws IOException, InterruptedException {
    long home = journalBlocks(image)[(int) n];
    byte[] data = block(image, home, blockSize);
    edit.accept(ByteBuffer.wrap(data));
    writeBlock(image, home, data);
  }

  /**
   * Moves the journal's log {@code shift} blocks further round its circular area and its head with
   * it, so that the same transactions wrap past the end of the journal. Nothing inside a log block
   * names a position, so the log stays valid (its checksums included).
   */
  static void rotateLog(Path image, int blockSize, long shift)
      throws IOException, InterruptedException {
    long[] map = journalBlocks(image);
    ByteBuffer sb = ByteBuffer.wrap(block(image, map[0], blockSize));
    long maxLen = Integer.toUnsignedLong(sb.getInt(16));
    long first = Integer.toUnsignedLong(sb.getInt(20));
    long start = Integer.toUnsignedLong(sb.getInt(28));
    long area = maxLen - first;
    byte[][] log = new byte[(int) area][];
    for (long i = 0; i < area; i++) {
      log[(int) i] = block(image, map[(int) (first + i)], blockSize);
    }
    for (long i = 0; i < area; i++) {
      long to = first + Math.floorMod(i + shift, area);
      writeBlock(image, map[(int) to], log[(int) i]);
    }
    sb.putInt(28, (int) (first + Math.floorMod(start - first + shift, area)));
    if ((sb.getInt(40) & 0x18) != 0) { // checksum v2/v3: the superblock's own CRC32C
      sb.putInt(0xFC, 0);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(sb.array(), 0, 1024);
      sb.putInt(0xFC, ~(int) crc.getValue());
    }
    writeBlock(image, map[0], sb.array());
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** Deterministic content for logged blocks: different in every block and every seed. */
  static Path data(Path file, int blocks, int blockSize, long seed) throws IOException {
    byte[] out = new byte[blocks * blockSize];
    java.util.Random rnd = new java.util.Random(seed);
    rnd.nextBytes(out);
    Files.write(file, out);
    return file;
  }
}
