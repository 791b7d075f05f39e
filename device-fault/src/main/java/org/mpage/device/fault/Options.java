package org.mpage.device.fault;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of one target, as the provider gets them ({@code key=value} strings) or as a
 * component's configuration gives them. Keys are dotted ({@code down.ms}); {@code down_ms} is the
 * same key, as a DS configuration attribute {@code down_ms()} reads property {@code down.ms}. An
 * unknown key is an error that lists the known ones, so that a typo does not leave a fault silently
 * off.
 */
final class Options {
  private final String what;
  private final Map<String, String> values = new HashMap<>();

  Options(String what, Map<String, String> raw, Set<String> known) {
    this.what = what;
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String key = e.getKey().trim().toLowerCase(Locale.ROOT).replace('_', '.');
      if (!known.contains(key)) {
        throw new IllegalArgumentException(
            what + ": unknown option '" + e.getKey() + "'; options: " + new TreeSet<>(known));
      }
      values.put(key, e.getValue().trim());
    }
  }

  boolean has(String key) {
    return values.containsKey(key) && !values.get(key).isEmpty();
  }

  String string(String key, String dflt) {
    return has(key) ? values.get(key) : dflt;
  }

  /** A count or a time: a non-negative long. */
  long nonNegative(String key, long dflt) {
    if (!has(key)) {
      return dflt;
    }
    String text = values.get(key);
    try {
      long v = Long.parseLong(text);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + ": " + key + " must be a non-negative integer, not '" + text + "'", e);
    }
  }

  boolean bool(String key, boolean dflt) {
    if (!has(key)) {
      return dflt;
    }
    String text = values.get(key).toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "on", "yes", "1" -> true;
      case "false", "off", "no", "0" -> false;
      default ->
          throw new IllegalArgumentException(
              what + ": " + key + " is true or false, not '" + text + "'");
    };
  }

  IllegalArgumentException bad(String message) {
    return new IllegalArgumentException(what + ": " + message);
  }

  /** The non-empty values among {@code pairs} (key, value, key, value...): a configuration's. */
  static Map<String, String> of(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null && !pairs[i + 1].isBlank()) {
        m.put(pairs[i], pairs[i + 1]);
      }
    }
    return m;
  }
}
