package org.mpage.fileops;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Attribute values and names as the attr package's tools write and read them: {@code getfattr -d}
 * shows a value as {@code "text"} (with {@code \ooo} for NUL, newline and carriage return, a
 * backslash before {@code "} and {@code \}), {@code 0x} and hex digits, or {@code 0s} and base64;
 * without {@code -e} it picks text when at most one byte in eight is not printable (a final NUL not
 * counted, and not shown), else base64. {@code setfattr -v} reads the same three forms back, and
 * any other text as its bytes. Names and paths quote a backslash and a few special characters as
 * {@code \ooo}. Values are bytes, never decoded as characters.
 */
public final class XattrText {
  private XattrText() {}

  /** {@code getfattr -e}: how values are shown. */
  public enum Encoding {
    /** No {@code -e}: text when printable enough, else base64. */
    AUTO,
    TEXT,
    HEX,
    BASE64;

    /** The {@code -e} argument: text, hex or base64. */
    public static Encoding of(String name) {
      return switch (name) {
        case "text" -> TEXT;
        case "hex" -> HEX;
        case "base64" -> BASE64;
        default -> throw new IllegalArgumentException("-e takes text, hex or base64, not " + name);
      };
    }
  }

  private static boolean printable(byte b) {
    return b >= 0x20 && b < 0x7f; // isprint in the C locale
  }

  // getfattr.c: well_enough_printable
  static boolean printableEnough(byte[] value) {
    int size = value.length;
    if (size > 0 && value[size - 1] == 0) {
      size--;
    }
    int nonPrintable = 0;
    for (int i = 0; i < size; i++) {
      if (!printable(value[i])) {
        nonPrintable++;
      }
    }
    return size >= nonPrintable * 8;
  }

  // getfattr.c: encode
  /** A value as {@code getfattr -d} shows it after the {@code =}, as bytes. */
  public static byte[] encode(byte[] value, Encoding encoding) {
    Encoding e = encoding;
    if (e == Encoding.AUTO) {
      e = printableEnough(value) ? Encoding.TEXT : Encoding.BASE64;
    }
    return switch (e) {
      case HEX -> ("0x" + HexFormat.of().formatHex(value)).getBytes(StandardCharsets.US_ASCII);
      case BASE64 ->
          ("0s" + Base64.getEncoder().encodeToString(value)).getBytes(StandardCharsets.US_ASCII);
      default -> text(value);
    };
  }

  private static byte[] text(byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 2);
    out.write('"');
    for (int i = 0; i < value.length; i++) {
      byte b = value[i];
      if (b == 0 && i + 1 == value.length) {
        break;
      }
      if (b == 0 || b == '\n' || b == '\r') {
        octal(out, b);
      } else if (b == '\\' || b == '"') {
        out.write('\\');
        out.write(b);
      } else {
        out.write(b);
      }
    }
    out.write('"');
    return out.toByteArray();
  }

  private static void octal(ByteArrayOutputStream out, byte b) {
    int v = b & 0xff;
    out.write('\\');
    out.write('0' + (v >> 6));
    out.write('0' + ((v >> 3) & 7));
    out.write('0' + (v & 7));
  }

  // libmisc quote.c: quote
  /** A name or path with a backslash and each of {@code specials} written as {@code \ooo}. */
  public static byte[] quote(byte[] name, String specials) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length);
    for (byte b : name) {
      if (b == '\\' || (b >= 0 && specials.indexOf(b) >= 0)) {
        octal(out, b);
      } else {
        out.write(b);
      }
    }
    return out.toByteArray();
  }

  // setfattr.c: decode
  /**
   * The bytes of a {@code setfattr -v} value: {@code 0x} hex, {@code 0s} base64, a {@code "quoted"}
   * string with {@code \ooo} and backslash escapes, or else the text's own bytes.
   *
   * @throws IllegalArgumentException "bad input encoding" for malformed hex or base64
   */
  public static byte[] decode(byte[] text) {
    String s = new String(text, StandardCharsets.ISO_8859_1);
    String lower = s.toLowerCase(Locale.ROOT);
    try {
      if (lower.startsWith("0x")) {
        String digits = s.substring(2).replaceAll("\\s", "");
        if (digits.length() % 2 != 0) {
          throw new IllegalArgumentException("odd number of hex digits");
        }
        return HexFormat.of().parseHex(digits);
      }
      if (lower.startsWith("0s")) {
        return Base64.getDecoder().decode(s.substring(2).replaceAll("\\s", ""));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad input encoding: " + e.getMessage(), e);
    }
    if (text.length >= 2 && text[0] == '"' && text[text.length - 1] == '"') {
      return unquote(text);
    }
    return text.clone();
  }

  private static byte[] unquote(byte[] text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
    for (int i = 1; i < text.length - 1; i++) {
      byte b = text[i];
      if (b != '\\' || i + 1 >= text.length - 1) {
        out.write(b);
        continue;
      }
      int v = 0;
      int digits = 0;
      while (digits < 3 && i + 1 < text.length - 1 && text[i + 1] >= '0' && text[i + 1] <= '7') {
        v = v * 8 + (text[++i] - '0');
        digits++;
      }
      out.write(digits > 0 ? v : text[++i]);
    }
    return out.toByteArray();
  }
}
