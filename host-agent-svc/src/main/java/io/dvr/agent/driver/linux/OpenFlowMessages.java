package io.dvr.agent.driver.linux;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The OpenFlow messages the driver sends and reads on a bridge's management socket, as bytes: the
 * header (version, type, length, xid), hello with its version bitmap, echo, the bundle's
 * control and add messages (OpenFlow 1.4 {@code OFPT_BUNDLE_*}; on a 1.3 connection OVS's ONF
 * extension, the same bodies in an experimenter message), a request for one table's flows and
 * its replies, and error replies read back into words. Pure: no I/O.
 */
final class OpenFlowMessages {
  private OpenFlowMessages() {}

  static final int OF13 = 0x04;
  static final int OF14 = 0x05;
  static final int HEADER = 8;

  static final int HELLO = 0;
  static final int ERROR = 1;
  static final int ECHO_REQUEST = 2;
  static final int ECHO_REPLY = 3;
  static final int EXPERIMENTER = 4;
  static final int FLOW_MOD = 14;
  static final int BUNDLE_CONTROL = 33;
  static final int BUNDLE_ADD_MESSAGE = 34;
  static final int MULTIPART_REQUEST = 18;
  static final int MULTIPART_REPLY = 19;
  /** The multipart kind of individual flow statistics ({@code OFPMP_FLOW}). */
  static final int MULTIPART_FLOW = 1;
  /** A multipart reply flag: more replies of the same xid follow ({@code OFPMPF_REPLY_MORE}). */
  static final int REPLY_MORE = 1;
  /** The header of a multipart message: the OpenFlow header, its kind, flags and padding. */
  static final int MULTIPART_HEADER = 16;

  /** The ONF experimenter id, and OVS's numbers for the OpenFlow 1.4 bundle messages carried on 1.3. */
  static final int ONF_EXPERIMENTER = 0x4f4e4600;
  static final int ONF_BUNDLE_CONTROL = 2300;
  static final int ONF_BUNDLE_ADD_MESSAGE = 2301;

  /** Bundle control types (OpenFlow 1.4 {@code ofp_bundle_ctrl_type}). */
  static final int OPEN_REQUEST = 0;
  static final int OPEN_REPLY = 1;
  static final int COMMIT_REQUEST = 4;
  static final int COMMIT_REPLY = 5;
  /** All or nothing, in the order added: what {@code ovs-ofctl --bundle} asks for. */
  static final int ATOMIC_ORDERED = 0x0001 | 0x0002;

  /** Hello offering 1.3 and 1.4 (a version bitmap element), sent at the highest. */
  static byte[] hello(int xid) {
    Writer w = header(OF14, HELLO, xid);
    w.u16(1).u16(8).u32((1 << OF13) | (1 << OF14));
    return w.done();
  }

  /**
   * The version both ends speak, from the switch's hello: the highest in both bitmaps, or, when
   * its hello has none, the lower of the two headers' versions; 0 when there is none of ours.
   */
  static int negotiate(byte[] hello) {
    ByteBuffer b = ByteBuffer.wrap(hello);
    int theirs = b.get(0) & 0xff;
    int offered = (1 << OF13) | (1 << OF14);
    int bitmap = -1;
    int at = HEADER;
    int length = Math.min(hello.length, b.getShort(2) & 0xffff);
    while (at + 4 <= length) {
      int type = b.getShort(at) & 0xffff;
      int len = b.getShort(at + 2) & 0xffff;
      if (len < 4) {
        break;
      }
      if (type == 1 && len >= 8) {
        bitmap = b.getInt(at + 4);
      }
      at += (len + 7) / 8 * 8;
    }
    int common = bitmap != -1 ? bitmap & offered : theirs >= OF13 ? 1 << Math.min(theirs, OF14) : 0;
    return common == 0 ? 0 : 31 - Integer.numberOfLeadingZeros(common);
  }

  static byte[] echoReply(byte[] request) {
    byte[] reply = request.clone();
    reply[1] = ECHO_REPLY;
    return reply;
  }

  static byte[] bundleControl(int version, int xid, int bundleId, int type) {
    Writer w = bundleHeader(version, xid, ONF_BUNDLE_CONTROL, BUNDLE_CONTROL);
    w.u32(bundleId).u16(type).u16(ATOMIC_ORDERED);
    return w.done();
  }

  /** A message added to the bundle; it carries the embedded message's xid, as OVS requires. */
  static byte[] bundleAdd(int version, int bundleId, byte[] message) {
    int xid = ByteBuffer.wrap(message).getInt(4);
    Writer w = bundleHeader(version, xid, ONF_BUNDLE_ADD_MESSAGE, BUNDLE_ADD_MESSAGE);
    w.u32(bundleId).u16(0).u16(ATOMIC_ORDERED).bytes(message);
    return w.done();
  }

  /**
   * Asks for the flows of one table, whatever their match, cookie or actions ({@code OFPMP_FLOW}:
   * any out port and group, cookie mask 0, an empty OXM match); the same bytes on 1.3 and 1.4.
   */
  static byte[] flowStatsRequest(int version, int xid, int table) {
    Writer w = header(version, MULTIPART_REQUEST, xid).u16(MULTIPART_FLOW).u16(0).zeros(4);
    w.u8(table).zeros(3).u32(0xffffffff).u32(0xffffffff).zeros(4).u64(0).u64(0);
    w.u16(1).u16(4).zeros(4); // ofp_match: OFPMT_OXM, no fields, padded to 8
    return w.done();
  }

  /** Whether the message is a flow statistics reply. */
  static boolean isFlowStatsReply(byte[] m) {
    return type(m) == MULTIPART_REPLY && m.length >= MULTIPART_HEADER
        && (ByteBuffer.wrap(m).getShort(8) & 0xffff) == MULTIPART_FLOW;
  }

  /** Whether more replies of a multipart reply's xid follow this one. */
  static boolean moreReplies(byte[] m) {
    return (ByteBuffer.wrap(m).getShort(10) & REPLY_MORE) != 0;
  }

  /** How many flow entries a flow statistics reply carries (each starts with its own length). */
  static int flowEntries(byte[] m) {
    ByteBuffer b = ByteBuffer.wrap(m);
    int end = Math.min(m.length, b.getShort(2) & 0xffff);
    int count = 0;
    for (int at = MULTIPART_HEADER; at + 2 <= end; count++) {
      int len = b.getShort(at) & 0xffff;
      if (len == 0) {
        break;
      }
      at += len;
    }
    return count;
  }

  private static Writer bundleHeader(int version, int xid, int onfType, int type) {
    if (version == OF13) {
      return header(OF13, EXPERIMENTER, xid).u32(ONF_EXPERIMENTER).u32(onfType);
    }
    return header(version, type, xid);
  }

  /** The control type of a bundle control reply, or -1 when the message is not one. */
  static int bundleControlType(byte[] m) {
    ByteBuffer b = ByteBuffer.wrap(m);
    int type = m[1] & 0xff;
    if (type == BUNDLE_CONTROL && m.length >= 16) {
      return b.getShort(12) & 0xffff;
    }
    if (type == EXPERIMENTER && m.length >= 24 && b.getInt(8) == ONF_EXPERIMENTER && b.getInt(12) == ONF_BUNDLE_CONTROL) {
      return b.getShort(20) & 0xffff;
    }
    return -1;
  }

  static int type(byte[] m) {
    return m[1] & 0xff;
  }

  static int xid(byte[] m) {
    return ByteBuffer.wrap(m).getInt(4);
  }

  private static final Map<Integer, String> ERROR_TYPES = Map.ofEntries(Map.entry(0, "HELLO_FAILED"),
      Map.entry(1, "BAD_REQUEST"), Map.entry(2, "BAD_ACTION"), Map.entry(3, "BAD_INSTRUCTION"),
      Map.entry(4, "BAD_MATCH"), Map.entry(5, "FLOW_MOD_FAILED"), Map.entry(17, "BUNDLE_FAILED"));
  /** The codes a refused flow most often carries, by type. */
  private static final Map<Integer, Map<Integer, String>> ERROR_CODES = Map.of(
      2, Map.of(0, "BAD_TYPE", 4, "BAD_OUT_PORT", 5, "BAD_ARGUMENT", 10, "MATCH_INCONSISTENT", 13, "BAD_SET_TYPE",
          15, "BAD_SET_ARGUMENT"),
      3, Map.of(2, "BAD_TABLE_ID"),
      4, Map.of(0, "BAD_TYPE", 1, "BAD_LEN", 5, "BAD_WILDCARDS", 6, "BAD_FIELD", 7, "BAD_VALUE", 8, "BAD_MASK",
          9, "BAD_PREREQ", 10, "DUP_FIELD"),
      5, Map.of(0, "UNKNOWN", 1, "TABLE_FULL", 2, "BAD_TABLE_ID", 3, "OVERLAP", 4, "EPERM"));

  /**
   * An error reply in words: its type and code by name where known, numbers always (an
   * experimenter error, OVS's own or a bundle error on 1.3, by experimenter id and code).
   */
  static String describeError(byte[] m) {
    if (m.length < 12) {
      return "a truncated OpenFlow error";
    }
    ByteBuffer b = ByteBuffer.wrap(m);
    int type = b.getShort(8) & 0xffff;
    int code = b.getShort(10) & 0xffff;
    if (type == 0xffff && m.length >= 16) {
      return String.format("OpenFlow experimenter error 0x%08x code %d", b.getInt(12), code);
    }
    String typeName = ERROR_TYPES.getOrDefault(type, "type " + type);
    String codeName = ERROR_CODES.getOrDefault(type, Map.of()).get(code);
    return "OpenFlow error " + typeName + " (" + type + "), code " + (codeName == null ? "" : codeName + " ") + "(" + code
        + ")";
  }

  static Writer header(int version, int type, int xid) {
    return new Writer().u8(version).u8(type).u16(0).u32(xid);
  }

  /** Big-endian bytes; {@link #done} writes the message's length into its header. */
  static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer u8(int v) {
      out.write(v);
      return this;
    }

    Writer u16(int v) {
      return u8(v >>> 8).u8(v);
    }

    Writer u32(int v) {
      return u16(v >>> 16).u16(v);
    }

    Writer u64(long v) {
      return u32((int) (v >>> 32)).u32((int) v);
    }

    Writer bytes(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    Writer zeros(int n) {
      return bytes(new byte[n]);
    }

    /** Zeros up to the next multiple of eight bytes. */
    Writer pad8() {
      return zeros((8 - out.size() % 8) % 8);
    }

    int size() {
      return out.size();
    }

    byte[] raw() {
      return out.toByteArray();
    }

    /** The bytes with the length at offset 2 (an OpenFlow header's). */
    byte[] done() {
      byte[] b = out.toByteArray();
      b[2] = (byte) (b.length >>> 8);
      b[3] = (byte) b.length;
      return b;
    }
  }
}
