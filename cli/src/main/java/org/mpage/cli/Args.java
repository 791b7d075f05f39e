package org.mpage.cli;

import java.util.Deque;
import java.util.Locale;

/** The arguments of one command, taken from the front as the command reads them. */
final class Args {
  private Args() {}

  /** Takes {@code flag} if it is next. */
  static boolean flag(Deque<String> args, String flag) {
    if (flag.equals(args.peekFirst())) {
      args.pollFirst();
      return true;
    }
    return false;
  }

  /** IMAGE: an image file or an NBD URI. */
  static Image image(Deque<String> args) throws UsageException {
    return Image.of(required(args, "IMAGE"));
  }

  static String required(Deque<String> args, String what) throws UsageException {
    String v = args.pollFirst();
    if (v == null) {
      throw new UsageException("missing " + what);
    }
    return v;
  }

  /** No arguments are left. */
  static void done(Deque<String> args) throws UsageException {
    if (!args.isEmpty()) {
      throw new UsageException("unexpected argument " + args.peekFirst());
    }
  }

  /**
   * A {@code --fault} target: {@code TYPE} or {@code TYPE:KEY=VALUE,KEY=VALUE...}, e.g. {@code
   * flakey:down_ms=500,mode=error-writes}. The keys are the target's to check.
   */
  static Session.Fault fault(String spec) throws UsageException {
    int colon = spec.indexOf(':');
    String type = colon < 0 ? spec : spec.substring(0, colon);
    if (!type.matches("[a-z0-9_-]+")) {
      throw new UsageException("--fault takes TYPE[:KEY=VALUE,...], not " + spec);
    }
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    if (colon >= 0 && colon < spec.length() - 1) {
      for (String kv : spec.substring(colon + 1).split(",", -1)) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new UsageException("--fault " + type + ": options are KEY=VALUE, not '" + kv + "'");
        }
        options.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return new Session.Fault(type, options);
  }

  /** A size: bytes, or with a K, M, G, T or P suffix (powers of 1024). */
  static long size(String text) throws UsageException {
    String t = text.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (!t.isEmpty() && "KMGTP".indexOf(t.charAt(t.length() - 1)) >= 0) {
      unit = 1L << (10 * ("KMGTP".indexOf(t.charAt(t.length() - 1)) + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Math.multiplyExact(Long.parseLong(t), unit);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException("not a size: " + text);
    }
  }
}
