package io.dvr.common.logging;

/** One JSON object of string fields, written in order; null values are left out. */
final class JsonLine {
  private final StringBuilder out = new StringBuilder(256).append('{');
  private boolean first = true;

  JsonLine field(String name, String value) {
    if (value == null) {
      return this;
    }
    if (!first) {
      out.append(',');
    }
    first = false;
    quote(name);
    out.append(':');
    quote(value);
    return this;
  }

  String end() {
    return out.append('}').toString();
  }

  private void quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
