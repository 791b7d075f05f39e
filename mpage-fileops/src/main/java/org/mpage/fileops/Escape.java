package org.mpage.fileops;

import org.mpage.api.fs.Names;

/**
 * Names made safe to show: C-style escapes as {@code ls -b} writes them, so that no byte of an
 * image's name reaches a terminal as a control sequence. A backslash is doubled; tab, newline and
 * the other C escapes keep their letter; every other control character, every byte that is not
 * valid UTF-8 and every invisible formatting character is written as {@code \ooo} octal of its
 * bytes. Printable text, non-ASCII letters and spaces stay as they are.
 */
public final class Escape {
  private Escape() {}

  /** {@code name} with every unsafe character escaped. */
  public static String name(String name) {
    if (name == null) {
      return null;
    }
    if (isPlain(name)) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name.length() + 16);
    int i = 0;
    while (i < name.length()) {
      int cp = name.codePointAt(i);
      int len = Character.charCount(cp);
      String sub = name.substring(i, i + len);
      switch (cp) {
        case '\\' -> sb.append("\\\\");
        case 0x07 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case 0x0b -> sb.append("\\v");
        case '\f' -> sb.append("\\f");
        case '\r' -> sb.append("\\r");
        default -> {
          if (safe(cp)) {
            sb.append(sub);
          } else {
            for (byte b : bytesOf(sub)) {
              sb.append('\\')
                  .append((char) ('0' + ((b >> 6) & 3)))
                  .append((char) ('0' + ((b >> 3) & 7)))
                  .append((char) ('0' + (b & 7)));
            }
          }
        }
      }
      i += len;
    }
    return sb.toString();
  }

  /** The bytes a character stands for; a surrogate that stands for none shows as U+FFFD's. */
  private static byte[] bytesOf(String ch) {
    try {
      return Names.toBytes(ch);
    } catch (IllegalArgumentException e) {
      return Names.toBytes("\uFFFD");
    }
  }

  private static boolean isPlain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Whether a code point is shown as itself. */
  private static boolean safe(int cp) {
    if (cp < 0x20 || cp == 0x7f) {
      return false;
    }
    if (cp < 0x7f) {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.SURROGATE,
          Character.UNASSIGNED,
          Character.PRIVATE_USE,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR ->
          false;
      default -> true;
    };
  }
}
