package io.dvr.agent.driver.linux;

import io.dvr.agent.model.IpPrefix;
import java.util.regex.Pattern;

/**
 * Checks of the values that go into command lines, batch lines and restore files. A value that
 * could split a line or a word (space, quote, '#', newline) is refused here, not escaped later.
 */
final class Args {
  private Args() {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,127}");
  private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,14}");
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
  private static final Pattern SYSCTL = Pattern.compile("[a-z0-9_]+(\\.[A-Za-z0-9_@:+-]+)+");
  private static final Pattern TOKEN = Pattern.compile("[^\\s\"'#\\\\]+");
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9_./@:+-]*");

  /** A namespace, bridge or host name. */
  static String name(String s) {
    return check(NAME, s, "name");
  }

  /** A network device name: at most 15 characters (IFNAMSIZ - 1). */
  static String device(String s) {
    return check(DEVICE, s, "device name");
  }

  static String mac(String s) {
    return check(MAC, s == null ? null : s.toLowerCase(), "MAC address");
  }

  static String sysctlKey(String s) {
    return check(SYSCTL, s, "sysctl key");
  }

  static String ip(String s) {
    return IpPrefix.host(s).ip();
  }

  /**
   * One word of an ip batch line, an iptables rule or an OpenFlow text: what {@link #TOKEN} accepts,
   * checked by hand (every word of a plan of thousands of lines comes here: the pattern was the
   * driver's own largest CPU cost).
   */
  static String token(String s) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("invalid word: " + (s == null ? "null" : "''"));
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == '"' || c == '\''
          || c == '#' || c == '\\') {
        throw new IllegalArgumentException("invalid word: '" + s + "'");
      }
    }
    return s;
  }

  /** The words {@link #token} accepts, as a pattern (tests compare the two). */
  static boolean matchesTokenPattern(String s) {
    return s != null && TOKEN.matcher(s).matches();
  }

  static String path(String s) {
    if (s != null && s.contains("..")) {
      throw new IllegalArgumentException("invalid path: '" + s + "'");
    }
    return check(PATH, s, "path");
  }

  private static String check(Pattern p, String s, String what) {
    if (s == null || !p.matcher(s).matches()) {
      throw new IllegalArgumentException("invalid " + what + ": " + (s == null ? "null" : "'" + s + "'"));
    }
    return s;
  }
}
