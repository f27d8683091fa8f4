package io.dvr.agent.driver.linux;

import io.dvr.agent.model.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenFlow text between the model and {@code ovs-ofctl -O OpenFlow13}. The renderer writes flows
 * in the classic dialect of the seed ({@code strip_vlan}, {@code mod_dl_src:}, {@code
 * set_tunnel:}, {@code mod_vlan_vid:}, {@code arp,...,nw_dst=}); OVS 3.1 dumps OpenFlow 1.3 flows
 * as {@code pop_vlan}, {@code set_field:X->eth_src}, {@code set_field:X->tun_id}, {@code
 * push_vlan:0x8100,set_field:4096+V->vlan_vid} and {@code arp_tpa=}. Dumped flows are translated
 * back to the classic words so that a flow read back equals the flow rendered.
 */
final class FlowText {
  private FlowText() {}

  private static final Pattern SET_FIELD = Pattern.compile("set_field:([^,]+)->([a-z_]+)");
  private static final Pattern PUSH_VLAN_VID = Pattern.compile("push_vlan:0x8100,set_field:(\\d+)->vlan_vid");
  /** Keys before the match in a dump line, separated by ", ". */
  private static final List<String> META = List.of("cookie", "duration", "table", "n_packets", "n_bytes",
      "idle_timeout", "hard_timeout", "idle_age", "hard_age", "importance", "reset_counts", "send_flow_rem",
      "no_packet_counts", "no_byte_counts", "check_overlap", "out_port", "out_group");

  /** The line that adds (or replaces) a flow in an {@code add-flows} bundle. */
  static String addLine(Flow f) {
    return "add " + spec(f, false) + ",actions=" + Args.token(f.actions());
  }

  /** The line that deletes exactly this flow of ours: strict on table, priority and match, by cookie. */
  static String deleteLine(Flow f) {
    return "delete_strict " + spec(f, true);
  }

  private static String spec(Flow f, boolean cookieMask) {
    StringBuilder s = new StringBuilder("cookie=0x").append(Long.toHexString(f.cookie()));
    if (cookieMask) {
      s.append("/-1");
    }
    s.append(",table=").append(f.table()).append(",priority=").append(f.priority());
    if (!f.match().isEmpty()) {
      s.append(',').append(Args.token(f.match()));
    }
    return s.toString();
  }

  /** The flows of a {@code dump-flows --no-stats --no-names} output (header lines skipped). */
  static List<Flow> parseDump(String dump) {
    List<Flow> flows = new ArrayList<>();
    for (String raw : dump.split("\n")) {
      parseLine(raw.strip()).ifPresent(flows::add);
    }
    return flows;
  }

  static Optional<Flow> parseLine(String line) {
    int at = line.startsWith("actions=") ? 0 : line.indexOf(" actions=");
    if (line.isEmpty() || at < 0) {
      return Optional.empty();
    }
    String head = line.substring(0, at).strip();
    String actions = line.substring(at == 0 ? "actions=".length() : at + " actions=".length()).strip();
    long cookie = 0;
    int table = 0;
    String match = "";
    for (String part : head.split(", ")) {
      String p = part.strip();
      String key = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
      if (key.equals("cookie")) {
        cookie = Long.parseUnsignedLong(p.substring("cookie=0x".length()), 16);
      } else if (key.equals("table")) {
        table = Integer.parseInt(p.substring("table=".length()));
      } else if (!META.contains(key) && !p.isEmpty()) {
        match = p.endsWith(",") ? p.substring(0, p.length() - 1) : p;
      }
    }
    int priority = Flow.DEFAULT_PRIORITY;
    if (match.startsWith("priority=")) {
      int comma = match.indexOf(',');
      priority = Integer.parseInt(match.substring("priority=".length(), comma < 0 ? match.length() : comma));
      match = comma < 0 ? "" : match.substring(comma + 1);
    }
    return Optional.of(new Flow(table, priority, classicMatch(match), classicActions(actions), cookie));
  }

  static String classicMatch(String match) {
    if (!match.startsWith("arp")) {
      return match;
    }
    return match.replace("arp_tpa=", "nw_dst=").replace("arp_spa=", "nw_src=");
  }

  static String classicActions(String actions) {
    String s = actions;
    Matcher vid = PUSH_VLAN_VID.matcher(s);
    StringBuilder out = new StringBuilder();
    while (vid.find()) {
      vid.appendReplacement(out, "mod_vlan_vid:" + (Integer.parseInt(vid.group(1)) & 0xfff));
    }
    vid.appendTail(out);
    s = out.toString();
    Matcher set = SET_FIELD.matcher(s);
    out = new StringBuilder();
    while (set.find()) {
      String value = set.group(1);
      String replacement = switch (set.group(2)) {
        case "eth_src" -> "mod_dl_src:" + value;
        case "eth_dst" -> "mod_dl_dst:" + value;
        case "tun_id" -> "set_tunnel:" + value;
        case "vlan_vid" -> "mod_vlan_vid:" + (Integer.parseInt(value) & 0xfff);
        default -> set.group();
      };
      set.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    set.appendTail(out);
    return splitTop(out.toString()).stream().map(a -> a.equals("pop_vlan") ? "strip_vlan" : a)
        .reduce((a, b) -> a + "," + b).orElse("");
  }

  /** Splits on commas outside parentheses ({@code learn(...)} holds commas). */
  static List<String> splitTop(String actions) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < actions.length(); i++) {
      char c = actions.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(actions.substring(start, i));
        start = i + 1;
      }
    }
    if (start < actions.length()) {
      parts.add(actions.substring(start));
    }
    return parts;
  }
}
