package org.mpage.nio;

import java.util.regex.PatternSyntaxException;

/** Glob patterns as {@link java.nio.file.FileSystem#getPathMatcher} defines them, as regexes. */
final class Globs {
  private Globs() {}

  static String toRegex(String glob) {
    StringBuilder re = new StringBuilder("^");
    boolean inGroup = false;
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      switch (c) {
        case '\\' -> {
          if (i == glob.length()) {
            throw new PatternSyntaxException("no character to escape", glob, i - 1);
          }
          quote(re, glob.charAt(i++));
        }
        case '/' -> re.append('/');
        case '*' -> {
          if (i < glob.length() && glob.charAt(i) == '*') {
            re.append(".*");
            i++;
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '{' -> {
          if (inGroup) {
            throw new PatternSyntaxException("nested groups are not allowed", glob, i - 1);
          }
          re.append("(?:(?:");
          inGroup = true;
        }
        case '}' -> {
          if (inGroup) {
            re.append("))");
            inGroup = false;
          } else {
            re.append('}');
          }
        }
        case ',' -> re.append(inGroup ? ")|(?:" : ",");
        case '[' -> i = bracket(glob, i, re);
        default -> quote(re, c);
      }
    }
    if (inGroup) {
      throw new PatternSyntaxException("missing '}'", glob, glob.length());
    }
    return re.append('$').toString();
  }

  /** A bracket expression from just after its '['; returns the index after its ']'. */
  private static int bracket(String glob, int i, StringBuilder re) {
    re.append("[[^/]&&[");
    if (i < glob.length() && glob.charAt(i) == '!') {
      re.append('^');
      i++;
    } else if (i < glob.length() && glob.charAt(i) == '^') {
      re.append("\\^");
      i++;
    }
    boolean first = true;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      if (c == ']' && !first) {
        re.append("]]");
        return i;
      }
      if (c == '/') {
        throw new PatternSyntaxException("'/' is not allowed in a bracket", glob, i - 1);
      }
      if (c == '\\' || c == '[' || c == '&' || (c == '^' && first)) {
        re.append('\\');
      }
      re.append(c);
      first = false;
    }
    throw new PatternSyntaxException("missing ']'", glob, i);
  }

  private static void quote(StringBuilder re, char c) {
    if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
      re.append('\\');
    }
    re.append(c);
  }
}
