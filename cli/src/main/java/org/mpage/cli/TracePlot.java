package org.mpage.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code mpage plot}: draws BIO traces (the {@code --trace} format) as sector against time, reads
 * and writes in two colours, one panel per trace side by side on a shared sector scale, as
 * seekwatcher draws blktrace output. Each panel is a grid of cells; a cell is painted when a BIO
 * dispatched in its time slice covers its sectors, so the picture stays small for any trace length.
 */
public final class TracePlot {
  private static final int W = 560;
  private static final int H = 400;
  private static final int LEFT = 90;
  private static final int TOP = 50;
  private static final int GAP = 60;
  private static final int BOTTOM = 70;
  private static final String READ = "#1f77b4";
  private static final String WRITE = "#d62728";

  /** One dispatched BIO. */
  public record Event(double seconds, boolean write, long sector, long sectors) {}

  /** A parsed trace: its name, dispatched BIOs, and counts. */
  public record Trace(String name, List<Event> events, long reads, long writes, long flushes) {
    double duration() {
      double max = 0;
      for (Event e : events) {
        max = Math.max(max, e.seconds());
      }
      return Math.max(max, 1e-6);
    }
  }

  private TracePlot() {}

  /** Reads the D (dispatch) lines of a trace file. */
  public static Trace read(Path file) throws IOException {
    List<Event> events = new ArrayList<>();
    long reads = 0;
    long writes = 0;
    long flushes = 0;
    int lineNo = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.trim().split(" +", -1);
        if (f.length < 9 || !f[7].equals("+")) {
          throw new IOException("line " + lineNo + " is not a trace event: " + line);
        }
        if (!f[4].equals("D")) {
          continue;
        }
        try {
          double t = Double.parseDouble(f[2]);
          char op = f[5].charAt(0);
          long sector = Long.parseLong(f[6]);
          long sectors = Long.parseLong(f[8]);
          switch (op) {
            case 'R' -> {
              reads++;
              events.add(new Event(t, false, sector, sectors));
            }
            case 'W' -> {
              writes++;
              events.add(new Event(t, true, sector, sectors));
            }
            default -> flushes++;
          }
        } catch (NumberFormatException e) {
          throw new IOException("line " + lineNo + " has a bad number: " + line, e);
        }
      }
    }
    return new Trace(file.getFileName().toString(), events, reads, writes, flushes);
  }

  /** Writes the SVG: one panel per trace, sharing the sector axis. */
  public static void write(List<Trace> traces, Writer out) throws IOException {
    long minSector = Long.MAX_VALUE;
    long maxSector = 0;
    for (Trace t : traces) {
      for (Event e : t.events()) {
        minSector = Math.min(minSector, e.sector());
        maxSector = Math.max(maxSector, e.sector() + e.sectors());
      }
    }
    if (minSector == Long.MAX_VALUE) {
      minSector = 0;
      maxSector = 1;
    }
    long span = Math.max(1, maxSector - minSector);
    int width = LEFT + traces.size() * (W + GAP);
    int height = TOP + H + BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n"
                + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
            width,
            height));
    for (int i = 0; i <= 4; i++) {
      long s = minSector + span * i / 4;
      int y = TOP + H - H * i / 4;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>%n",
              LEFT - 6,
              y + 4,
              s));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">"
                + "sector</text>%n",
            TOP + H / 2,
            TOP + H / 2));
    for (int p = 0; p < traces.size(); p++) {
      panel(svg, traces.get(p), LEFT + p * (W + GAP), minSector, span);
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">read</text>%n"
                + "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">write</text>%n",
            LEFT,
            height - 22,
            READ,
            LEFT + 14,
            height - 13,
            LEFT + 70,
            height - 22,
            WRITE,
            LEFT + 84,
            height - 13));
    svg.append("</svg>\n");
    out.write(svg.toString());
  }

  private static void panel(StringBuilder svg, Trace t, int x0, long minSector, long span) {
    double duration = t.duration();
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n"
                + "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n"
                + "<text x=\"%d\" y=\"%d\">%d read BIOs, %d write BIOs, %d flushes</text>%n",
            x0,
            TOP,
            W,
            H,
            x0,
            TOP - 26,
            escape(t.name()),
            x0,
            TOP - 10,
            t.reads(),
            t.writes(),
            t.flushes()));
    for (int i = 0; i <= 4; i++) {
      int x = x0 + W * i / 4;
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.3f</text>%n",
              x,
              TOP + H + 16,
              duration * i / 4));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds</text>%n",
            x0 + W / 2,
            TOP + H + 32));
    BitSet reads = new BitSet(W * H);
    BitSet writes = new BitSet(W * H);
    for (Event e : t.events()) {
      int x = (int) Math.min(W - 1, e.seconds() / duration * (W - 1));
      int y1 = cell(e.sector() - minSector, span);
      int y2 = cell(e.sector() + Math.max(1, e.sectors()) - 1 - minSector, span);
      BitSet cells = e.write() ? writes : reads;
      for (int y = y1; y <= y2; y++) {
        cells.set(y * W + x);
      }
    }
    cells(svg, reads, x0, READ);
    cells(svg, writes, x0, WRITE);
  }

  private static int cell(long offset, long span) {
    return (int) Math.min(H - 1, Math.max(0, offset * (H - 1) / span));
  }

  /** Paints the cells, a vertical run of cells in one column as one rectangle. */
  private static void cells(StringBuilder svg, BitSet cells, int x0, String colour) {
    svg.append("<g fill=\"").append(colour).append("\">\n");
    for (int x = 0; x < W; x++) {
      int y = 0;
      while (y < H) {
        if (!cells.get(y * W + x)) {
          y++;
          continue;
        }
        int start = y;
        while (y < H && cells.get(y * W + x)) {
          y++;
        }
        svg.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"2\" height=\"%d\"/>%n",
                x0 + x,
                TOP + H - y,
                y - start));
      }
    }
    svg.append("</g>\n");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
