package io.dvr.agent.driver.linux;

import io.dvr.agent.model.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A flow change of a plan as the OpenFlow {@code flow_mod} that {@code ovs-ofctl -O OpenFlow13}
 * sends for its {@code add} or {@code delete_strict} line (OpenFlow 1.3 and 1.4 share the layout).
 * Only the words our renderers write are known: match fields {@code in_port}, {@code dl_src},
 * {@code dl_dst} (with a mask), {@code dl_vlan}, {@code tun_id}, {@code ip}/{@code arp} with
 * {@code nw_src}/{@code nw_dst} (a prefix), {@code dl_type}; actions {@code output}, {@code
 * NORMAL}, {@code drop}, {@code resubmit(,T)}, {@code goto_table}, {@code strip_vlan}/{@code
 * pop_vlan}, {@code mod_vlan_vid} (pushing a VLAN tag where the frame has none, as OVS does),
 * {@code mod_dl_src}/{@code mod_dl_dst}, {@code set_tunnel}, and {@code learn(...)} over the NXM
 * fields br-tun's learning names. Any other word is {@link UnencodableFlowException}: the caller
 * sends that bundle with {@code ovs-ofctl}, which knows them all.
 *
 * <p>A flow of these words that OpenFlow's rules forbid is {@link RefusedFlowException} before
 * anything is sent: the switch would refuse its flow_mod on arrival, and a bundle goes in one round
 * trip only because no message of it is refused there (see {@link OpenFlowConnection}).
 */
final class FlowMods {
  private FlowMods() {}

  enum Kind { ADD, DELETE_STRICT }

  /** One flow change, in the plan's order within its bridge's bundle. */
  record Change(Kind kind, Flow flow) {
    /** The same change as an {@code ovs-ofctl add-flows} line. */
    String line() {
      return kind == Kind.ADD ? FlowText.addLine(flow) : FlowText.deleteLine(flow);
    }
  }

  /**
   * A flow the switch refuses on arrival, found before sending: a match field without its
   * prerequisite, a port number outside the switch's range, a goto_table that does not go forward,
   * a VLAN popped where the frame has none. The message names the flow and the rule.
   */
  static final class RefusedFlowException extends Exception {
    RefusedFlowException(Change change, String rule) {
      super("flow " + change.line() + ": " + rule);
    }
  }

  /** A word of a flow this encoder does not know; the message names it and the flow. */
  static final class UnencodableFlowException extends Exception {
    UnencodableFlowException(String message) {
      super(message);
    }
  }

  static final int OFPFC_ADD = 0;
  static final int OFPFC_DELETE_STRICT = 4;
  static final int NO_BUFFER = 0xffffffff;
  static final int ANY = 0xffffffff;
  static final int OFPP_NORMAL = 0xfffffffa;
  /** OpenFlow 1.0's "the packet's own in_port" as Nicira actions take it. */
  static final int OFPP10_IN_PORT = 0xfff8;
  /** The first OpenFlow 1.1+ port number no switch port can have (OFPP_MAX, as OVS maps it): 0xff00. */
  static final long FIRST_RESERVED_PORT = 0xff00;
  static final int NX_VENDOR = 0x00002320;
  static final int NXAST_RESUBMIT_TABLE = 14;
  static final int NXAST_LEARN = 16;

  /** OXM basic-class fields (OpenFlow 1.3 7.2.3.7): number and length in bytes. */
  enum Oxm {
    IN_PORT(0, 4), ETH_DST(3, 6), ETH_SRC(4, 6), ETH_TYPE(5, 2), VLAN_VID(6, 2), IPV4_SRC(11, 4), IPV4_DST(12, 4),
    ARP_SPA(22, 4), ARP_TPA(23, 4), TUNNEL_ID(38, 8);

    final int field;
    final int length;

    Oxm(int field, int length) {
      this.field = field;
      this.length = length;
    }

    int header(boolean masked) {
      return 0x8000 << 16 | field << 9 | (masked ? 1 << 8 : 0) | (masked ? 2 * length : length);
    }
  }

  static final int ETH_TYPE_IP = 0x0800;
  static final int ETH_TYPE_ARP = 0x0806;
  static final int ETH_TYPE_VLAN = 0x8100;
  static final int VID_PRESENT = 0x1000;

  /** One match field's value and mask (mask null: exact). */
  private record Field(Oxm oxm, long value, Long mask) {}

  /** The {@code flow_mod} of a change, with this xid, for a connection speaking {@code version}. */
  static byte[] encode(Change change, int version, int xid) throws UnencodableFlowException, RefusedFlowException {
    return encode(change, version, xid, true);
  }

  /**
   * As {@link #encode(Change, int, int)}; {@code checked} false leaves OpenFlow's rules to the
   * switch (a test shows what the switch then does).
   */
  static byte[] encode(Change change, int version, int xid, boolean checked)
      throws UnencodableFlowException, RefusedFlowException {
    Flow f = change.flow();
    if (f.table() < 0 || f.table() > 254 || f.priority() < 0 || f.priority() > 0xffff) {
      throw new UnencodableFlowException("flow " + change.line() + ": table " + f.table() + " or priority "
          + f.priority() + " out of range");
    }
    Map<Oxm, Field> match = match(change);
    if (checked) {
      checkMatch(change, match);
    }
    boolean delete = change.kind() == Kind.DELETE_STRICT;
    OpenFlowMessages.Writer w = OpenFlowMessages.header(version, OpenFlowMessages.FLOW_MOD, xid);
    w.u64(f.cookie()).u64(delete ? -1L : 0L).u8(f.table()).u8(delete ? OFPFC_DELETE_STRICT : OFPFC_ADD)
        .u16(0).u16(0).u16(f.priority()).u32(NO_BUFFER).u32(ANY).u32(ANY).u16(0).u16(0);
    writeMatch(w, match);
    if (!delete) {
      writeInstructions(w, change, match, checked);
    }
    return w.done();
  }

  /** The match's own rules: an IPv4 or ARP address needs its ethernet type; in_port a switch port's number. */
  private static void checkMatch(Change change, Map<Oxm, Field> match) throws RefusedFlowException {
    Field type = match.get(Oxm.ETH_TYPE);
    for (Oxm needsIp : List.of(Oxm.IPV4_SRC, Oxm.IPV4_DST)) {
      if (match.containsKey(needsIp) && (type == null || type.value() != ETH_TYPE_IP)) {
        throw new RefusedFlowException(change, (needsIp == Oxm.IPV4_SRC ? "nw_src" : "nw_dst")
            + " needs ip or arp before it in the match (OpenFlow's prerequisite)");
      }
    }
    Field inPort = match.get(Oxm.IN_PORT);
    if (inPort != null) {
      checkPort(change, "in_port", inPort.value());
    }
  }

  private static void checkPort(Change change, String word, long port) throws RefusedFlowException {
    if (port >= FIRST_RESERVED_PORT) {
      throw new RefusedFlowException(change, word + "=" + port + " is outside the switch's port numbers (below "
          + FIRST_RESERVED_PORT + ")");
    }
  }

  // ---- match ----

  private static Map<Oxm, Field> match(Change change) throws UnencodableFlowException {
    String text = change.flow().match();
    Map<Oxm, Field> fields = new TreeMap<>();
    List<String[]> network = new ArrayList<>();
    for (String word : text.isEmpty() ? List.<String>of() : FlowText.splitTop(text)) {
      int eq = word.indexOf('=');
      String key = eq < 0 ? word : word.substring(0, eq);
      String value = eq < 0 ? "" : word.substring(eq + 1);
      try {
        switch (key) {
          case "ip" -> put(fields, new Field(Oxm.ETH_TYPE, ETH_TYPE_IP, null), change);
          case "arp" -> put(fields, new Field(Oxm.ETH_TYPE, ETH_TYPE_ARP, null), change);
          case "dl_type" -> put(fields, new Field(Oxm.ETH_TYPE, number(value, 0xffff), null), change);
          case "in_port" -> put(fields, new Field(Oxm.IN_PORT, number(value, 0xfffffeffL), null), change);
          case "dl_src", "dl_dst" -> put(fields, macField(key.equals("dl_src") ? Oxm.ETH_SRC : Oxm.ETH_DST, value), change);
          case "dl_vlan" -> put(fields, new Field(Oxm.VLAN_VID, VID_PRESENT | number(value, 0xfff), null), change);
          case "tun_id" -> put(fields, tunId(value), change);
          case "nw_src", "nw_dst" -> network.add(new String[] {key, value});
          default -> throw new UnencodableFlowException("flow " + change.line() + ": match field " + word + " is not encoded");
        }
      } catch (IllegalArgumentException e) {
        throw new UnencodableFlowException("flow " + change.line() + ": " + word + ": " + e.getMessage());
      }
    }
    // Classic nw_src/nw_dst mean the ARP addresses on an arp flow, IPv4's on an ip flow.
    Field type = fields.get(Oxm.ETH_TYPE);
    for (String[] kv : network) {
      boolean src = kv[0].equals("nw_src");
      Oxm oxm;
      if (type != null && type.value() == ETH_TYPE_IP) {
        oxm = src ? Oxm.IPV4_SRC : Oxm.IPV4_DST;
      } else if (type != null && type.value() == ETH_TYPE_ARP) {
        oxm = src ? Oxm.ARP_SPA : Oxm.ARP_TPA;
      } else {
        // No ip or arp before it: encoded as IPv4's, which the check refuses (so would the switch).
        oxm = src ? Oxm.IPV4_SRC : Oxm.IPV4_DST;
      }
      try {
        Field f = prefix(oxm, kv[1]);
        if (f != null) {
          put(fields, f, change);
        }
      } catch (IllegalArgumentException e) {
        throw new UnencodableFlowException("flow " + change.line() + ": " + kv[0] + "=" + kv[1] + ": " + e.getMessage());
      }
    }
    return fields;
  }

  private static void put(Map<Oxm, Field> fields, Field f, Change change) throws UnencodableFlowException {
    if (fields.put(f.oxm(), f) != null) {
      throw new UnencodableFlowException("flow " + change.line() + ": " + f.oxm() + " given twice");
    }
  }

  /**
   * {@code ofp_match} of type OXM: the fields in the order of {@link Oxm} (each field's
   * prerequisite, the ethernet type, before it), the length without the padding to eight bytes.
   */
  private static void writeMatch(OpenFlowMessages.Writer w, Map<Oxm, Field> match) {
    OpenFlowMessages.Writer oxm = new OpenFlowMessages.Writer();
    for (Field f : match.values()) {
      oxm.u32(f.oxm().header(f.mask() != null));
      value(oxm, f.value(), f.oxm().length);
      if (f.mask() != null) {
        value(oxm, f.mask(), f.oxm().length);
      }
    }
    w.u16(1).u16(4 + oxm.size()).bytes(oxm.raw()).pad8();
  }

  private static void value(OpenFlowMessages.Writer w, long v, int length) {
    for (int i = length - 1; i >= 0; i--) {
      w.u8((int) (v >>> (8 * i)));
    }
  }

  private static Field macField(Oxm oxm, String text) {
    int slash = text.indexOf('/');
    long value = mac(slash < 0 ? text : text.substring(0, slash));
    if (slash < 0) {
      return new Field(oxm, value, null);
    }
    long mask = mac(text.substring(slash + 1));
    return mask == 0xffffffffffffL ? new Field(oxm, value, null) : new Field(oxm, value & mask, mask);
  }

  private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

  static long mac(String text) {
    if (!MAC.matcher(text).matches()) {
      throw new IllegalArgumentException("not a MAC address: " + text);
    }
    return Long.parseLong(text.replace(":", ""), 16);
  }

  private static Field tunId(String text) {
    int slash = text.indexOf('/');
    long value = Long.parseUnsignedLong(strip0x(slash < 0 ? text : text.substring(0, slash)), radix(text));
    if (slash < 0) {
      return new Field(Oxm.TUNNEL_ID, value, null);
    }
    String m = text.substring(slash + 1);
    long mask = Long.parseUnsignedLong(strip0x(m), radix(m));
    return mask == -1L ? new Field(Oxm.TUNNEL_ID, value, null) : new Field(Oxm.TUNNEL_ID, value & mask, mask);
  }

  /** An IPv4 address or prefix; null for /0 (no field at all, as OVS leaves it). */
  private static Field prefix(Oxm oxm, String text) {
    int slash = text.indexOf('/');
    long address = ipv4(slash < 0 ? text : text.substring(0, slash));
    int length = slash < 0 ? 32 : (int) number(text.substring(slash + 1), 32);
    if (length == 0) {
      return null;
    }
    long mask = (0xffffffffL << (32 - length)) & 0xffffffffL;
    return length == 32 ? new Field(oxm, address, null) : new Field(oxm, address & mask, mask);
  }

  static long ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + text);
    }
    long v = 0;
    for (String p : parts) {
      v = v << 8 | number(p, 255);
    }
    return v;
  }

  /** A decimal or 0x-hexadecimal number up to {@code max}. */
  static long number(String text, long max) {
    long v;
    try {
      v = Long.parseLong(strip0x(text), radix(text));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + text);
    }
    if (v < 0 || v > max) {
      throw new IllegalArgumentException(text + " is outside 0.." + max);
    }
    return v;
  }

  private static int radix(String text) {
    return text.startsWith("0x") || text.startsWith("0X") ? 16 : 10;
  }

  private static String strip0x(String text) {
    return radix(text) == 16 ? text.substring(2) : text;
  }

  // ---- actions ----

  private static final Pattern RESUBMIT = Pattern.compile("resubmit\\((\\d*),(\\d+)\\)");

  /**
   * The actions in one apply-actions instruction (none for {@code drop}), then {@code goto_table}
   * as its own instruction. The frame's VLAN is followed as OVS follows it, for {@code mod_vlan_vid}.
   */
  private static void writeInstructions(OpenFlowMessages.Writer w, Change change, Map<Oxm, Field> match,
      boolean checked) throws UnencodableFlowException, RefusedFlowException {
    String text = change.flow().actions();
    OpenFlowMessages.Writer actions = new OpenFlowMessages.Writer();
    boolean vlan = match.containsKey(Oxm.VLAN_VID);
    int gotoTable = -1;
    List<String> words = FlowText.splitTop(text);
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (gotoTable >= 0) {
        throw new UnencodableFlowException("flow " + change.line() + ": an action after goto_table");
      }
      int colon = word.indexOf(':');
      String key = word.startsWith("learn(") ? "learn" : colon < 0 ? word : word.substring(0, colon);
      String arg = colon < 0 ? "" : word.substring(colon + 1);
      try {
        switch (key) {
          case "drop" -> {
            if (words.size() != 1) {
              throw new IllegalArgumentException("drop among other actions");
            }
          }
          case "NORMAL", "normal" -> output(actions, OFPP_NORMAL);
          case "output" -> {
            long port = number(arg, 0xfffffeffL);
            if (checked) {
              checkPort(change, "output", port);
            }
            output(actions, (int) port);
          }
          case "strip_vlan", "pop_vlan" -> {
            if (checked && !vlan) {
              throw new RefusedFlowException(change, word + " where the frame has no VLAN (the match names none, or"
                  + " an action before it popped it)");
            }
            actions.u16(18).u16(8).u32(0); // OFPAT_POP_VLAN
            vlan = false;
          }
          case "mod_vlan_vid" -> {
            int vid = (int) number(arg, 0xfff);
            if (!vlan) {
              actions.u16(17).u16(8).u16(ETH_TYPE_VLAN).u16(0); // OFPAT_PUSH_VLAN
              vlan = true;
            }
            setField(actions, Oxm.VLAN_VID, VID_PRESENT | vid);
          }
          case "mod_dl_src" -> setField(actions, Oxm.ETH_SRC, mac(arg));
          case "mod_dl_dst" -> setField(actions, Oxm.ETH_DST, mac(arg));
          case "set_tunnel", "set_tunnel64" -> setField(actions, Oxm.TUNNEL_ID, Long.parseUnsignedLong(strip0x(arg),
              radix(arg)));
          case "goto_table" -> {
            gotoTable = (int) number(arg, 254);
            if (checked && gotoTable <= change.flow().table()) {
              throw new RefusedFlowException(change, "goto_table:" + gotoTable + " does not go forward from table "
                  + change.flow().table());
            }
          }
          case "learn" -> learn(actions, word);
          default -> {
            Matcher m = RESUBMIT.matcher(word);
            if (!m.matches()) {
              throw new UnencodableFlowException("flow " + change.line() + ": action " + word + " is not encoded");
            }
            int port = m.group(1).isEmpty() ? OFPP10_IN_PORT : (int) number(m.group(1), 0xfeff);
            nicira(actions, NXAST_RESUBMIT_TABLE).u16(port).u8((int) number(m.group(2), 254)).zeros(3);
          }
        }
      } catch (IllegalArgumentException e) {
        throw new UnencodableFlowException("flow " + change.line() + ": " + word + ": " + e.getMessage());
      }
    }
    if (actions.size() > 0) {
      w.u16(4).u16(8 + actions.size()).u32(0).bytes(actions.raw()); // OFPIT_APPLY_ACTIONS
    }
    if (gotoTable >= 0) {
      w.u16(1).u16(8).u8(gotoTable).zeros(3); // OFPIT_GOTO_TABLE
    }
  }

  private static void output(OpenFlowMessages.Writer a, int port) {
    a.u16(0).u16(16).u32(port).u16(0).zeros(6); // OFPAT_OUTPUT, max_len 0 (only for the controller)
  }

  /** OFPAT_SET_FIELD with one OXM, padded to eight bytes. */
  private static void setField(OpenFlowMessages.Writer a, Oxm oxm, long value) {
    int length = 4 + 4 + oxm.length;
    int padded = (length + 7) / 8 * 8;
    a.u16(25).u16(padded).u32(oxm.header(false));
    value(a, value, oxm.length);
    a.zeros(padded - length);
  }

  /** The start of a Nicira action of 16 bytes: type, length, vendor, subtype (6 bytes of body follow). */
  private static OpenFlowMessages.Writer nicira(OpenFlowMessages.Writer a, int subtype) {
    return a.u16(0xffff).u16(16).u32(NX_VENDOR).u16(subtype);
  }

  // ---- learn ----

  /** The NXM fields br-tun's learning uses: 32-bit NXM header and width in bits. */
  private static final Map<String, int[]> NXM = Map.of(
      "NXM_OF_IN_PORT", new int[] {0x00000002, 16},
      "NXM_OF_ETH_DST", new int[] {0x00000206, 48},
      "NXM_OF_ETH_SRC", new int[] {0x00000406, 48},
      "NXM_OF_ETH_TYPE", new int[] {0x00000602, 16},
      "NXM_OF_VLAN_TCI", new int[] {0x00000802, 16},
      "NXM_NX_TUN_ID", new int[] {0x00012008, 64});

  private static final Pattern FIELD_REF = Pattern.compile("([A-Z0-9_]+)\\[(?:(\\d+)(?:\\.\\.(\\d+))?)?\\]");

  /** A field's bits: NXM header, offset, number of bits. */
  private record Bits(int header, int offset, int bits) {}

  private static Bits bits(String text) {
    Matcher m = FIELD_REF.matcher(text);
    if (!m.matches() || !NXM.containsKey(m.group(1))) {
      throw new IllegalArgumentException("field " + text + " is not encoded");
    }
    int[] f = NXM.get(m.group(1));
    if (m.group(2) == null) {
      return new Bits(f[0], 0, f[1]);
    }
    int start = Integer.parseInt(m.group(2));
    int end = m.group(3) == null ? start : Integer.parseInt(m.group(3));
    if (end < start || end >= f[1]) {
      throw new IllegalArgumentException("bits " + text + " outside the field's " + f[1]);
    }
    return new Bits(f[0], start, end - start + 1);
  }

  /**
   * NXAST_LEARN ({@code nx_action_learn}, 32 bytes, then one spec per word: a 16-bit header of
   * source kind, destination kind and bit count, the source (field and offset, or the immediate
   * value in whole 16-bit words), the destination (field and offset, none for output); zeros up
   * to eight bytes end the specs).
   */
  private static void learn(OpenFlowMessages.Writer a, String word) {
    String body = word.substring("learn(".length(), word.length() - 1);
    int idle = 0;
    int hard = 0;
    int priority = Flow.DEFAULT_PRIORITY;
    long cookie = 0;
    int table = 1;
    int finIdle = 0;
    int finHard = 0;
    OpenFlowMessages.Writer specs = new OpenFlowMessages.Writer();
    for (String part : FlowText.splitTop(body)) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      switch (key) {
        case "table" -> table = (int) number(value, 254);
        case "idle_timeout" -> idle = (int) number(value, 0xffff);
        case "hard_timeout" -> hard = (int) number(value, 0xffff);
        case "priority" -> priority = (int) number(value, 0xffff);
        case "cookie" -> cookie = Long.parseUnsignedLong(strip0x(value), radix(value));
        case "fin_idle_timeout" -> finIdle = (int) number(value, 0xffff);
        case "fin_hard_timeout" -> finHard = (int) number(value, 0xffff);
        default -> learnSpec(specs, part);
      }
    }
    int length = (32 + specs.size() + 7) / 8 * 8;
    a.u16(0xffff).u16(length).u32(NX_VENDOR).u16(NXAST_LEARN).u16(idle).u16(hard).u16(priority).u64(cookie)
        .u16(0).u8(table).u8(0).u16(finIdle).u16(finHard).bytes(specs.raw()).zeros(length - 32 - specs.size());
  }

  private static final int SRC_IMMEDIATE = 1 << 13;
  private static final int DST_LOAD = 1 << 11;
  private static final int DST_OUTPUT = 2 << 11;

  private static void learnSpec(OpenFlowMessages.Writer specs, String part) {
    if (part.startsWith("output:")) {
      Bits src = bits(part.substring("output:".length()));
      specs.u16(DST_OUTPUT | src.bits()).u32(src.header()).u16(src.offset());
      return;
    }
    String dstText;
    String srcText;
    int kind;
    if (part.startsWith("load:")) {
      int arrow = part.indexOf("->");
      if (arrow < 0) {
        throw new IllegalArgumentException("learn load without ->: " + part);
      }
      srcText = part.substring("load:".length(), arrow);
      dstText = part.substring(arrow + 2);
      kind = DST_LOAD;
    } else {
      int eq = part.indexOf('=');
      dstText = eq < 0 ? part : part.substring(0, eq);
      srcText = eq < 0 ? part : part.substring(eq + 1);
      kind = 0;
    }
    Bits dst = bits(dstText);
    if (FIELD_REF.matcher(srcText).matches()) {
      Bits src = bits(srcText);
      if (src.bits() != dst.bits()) {
        throw new IllegalArgumentException("learn " + part + ": " + src.bits() + " bits into " + dst.bits());
      }
      specs.u16(kind | dst.bits()).u32(src.header()).u16(src.offset());
    } else {
      long v = Long.parseUnsignedLong(strip0x(srcText), radix(srcText));
      specs.u16(SRC_IMMEDIATE | kind | dst.bits());
      value(specs, v, (dst.bits() + 15) / 16 * 2);
    }
    specs.u32(dst.header()).u16(dst.offset());
  }
}
