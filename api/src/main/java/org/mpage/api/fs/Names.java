package org.mpage.api.fs;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Names on disk are bytes; the api carries them in Java strings without losing any. A name that is
 * valid UTF-8 is its decoded text; every byte that is not part of valid UTF-8 becomes the lone
 * surrogate {@code U+DC00 + byte} (the "surrogateescape" mapping of PEP 383, which Python uses for
 * POSIX file names). So two different byte names are always two different strings, and {@link
 * #toBytes} gives back exactly the bytes {@link #fromBytes} was given.
 *
 * <p>A string with a lone surrogate outside {@code U+DC80..U+DCFF} names no byte sequence and is
 * refused by {@link #toBytes}.
 */
public final class Names {
  private static final char ESCAPE_BASE = '\uDC00';

  private Names() {}

  /** The string carrying the name {@code bytes}. */
  public static String fromBytes(byte[] bytes) {
    return fromBytes(bytes, 0, bytes.length);
  }

  /** The string carrying {@code length} name bytes from {@code offset}. */
  public static String fromBytes(byte[] bytes, int offset, int length) {
    boolean ascii = true;
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, offset, length, StandardCharsets.US_ASCII);
    }
    CharsetDecoder dec =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    CharBuffer out = CharBuffer.allocate(length);
    while (true) {
      var result = dec.decode(in, out, true);
      if (result.isUnderflow()) {
        break;
      }
      if (result.isError()) {
        // Each byte of a malformed sequence is escaped on its own; decoding resumes after it.
        for (int i = 0; i < result.length(); i++) {
          out.put((char) (ESCAPE_BASE + (in.get() & 0xff)));
        }
      } else {
        throw new IllegalStateException("decoder overflow on " + length + " bytes");
      }
    }
    out.flip();
    return out.toString();
  }

  /** The bytes of {@code name}. */
  public static byte[] toBytes(String name) {
    int n = name.length();
    boolean plain = true;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 0x80) {
        plain = false;
        break;
      }
    }
    if (plain) {
      return name.getBytes(StandardCharsets.US_ASCII);
    }
    byte[] out = new byte[n * 3];
    int len = 0;
    int start = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? name.charAt(i) : 0;
      boolean escaped = i < n && isEscape(name, i);
      if (i == n || escaped) {
        byte[] run = encodeStrict(name, start, i);
        System.arraycopy(run, 0, out, len, run.length);
        len += run.length;
        if (escaped) {
          out[len++] = (byte) (c - ESCAPE_BASE);
        }
        start = i + 1;
      }
    }
    return Arrays.copyOf(out, len);
  }

  /** Whether {@code name} carries a byte that is not valid UTF-8 (an escaped byte). */
  public static boolean hasRawBytes(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (isEscape(name, i)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEscape(String s, int i) {
    char c = s.charAt(i);
    if (c < '\uDC80' || c > '\uDCFF') {
      return false;
    }
    return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
  }

  private static byte[] encodeStrict(String s, int from, int to) {
    if (from >= to) {
      return new byte[0];
    }
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s, from, to));
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "name has an unpaired surrogate that stands for no byte: " + s, e);
    }
  }
}
