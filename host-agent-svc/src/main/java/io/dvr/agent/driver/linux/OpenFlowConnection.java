package io.dvr.agent.driver.linux;

import io.vertx.core.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One long-lived OpenFlow connection with a bridge of the host's {@code ovs-vswitchd}, over the
 * bridge's management socket ({@code BRIDGE.mgmt} in its run directory): a plan's flow changes for
 * the bridge go as one atomic bundle on a connection already open, where {@code ovs-ofctl --bundle}
 * is a process (through {@code nsenter} for a lab host) that connects, negotiates and exits.
 *
 * <p>A bundle is OPEN, one ADD_MESSAGE per {@code flow_mod} and COMMIT, sent in one write and
 * answered in one round trip. OVS commits a bundle whole or not at all, but a message it refuses on
 * arrival is left out of the bundle instead of failing it. So each flow is first checked against
 * the rules by which the switch refuses a flow_mod on arrival ({@link FlowMods}, for the words it
 * encodes); a flow that breaks one fails the call with nothing sent. A refusal on arrival that
 * still comes fails the call too, naming the flow and saying the rest was committed (the caller
 * then reads the bridge again, as after any failed apply). An error names the flow it was for.
 *
 * <p>Blocking, one call at a time, the whole call bounded by the timeout: call it from a worker,
 * never an event loop. The connection is opened (hello, version 1.4 or 1.3) at the first call and
 * again after any failure; a call that fails on a connection that was open (ovs-vswitchd restarted,
 * or closed it idle) is tried once more on a new one, which is safe: a bundle not committed dies
 * with its connection, and adding or deleting the same flows again changes nothing more. Echo
 * requests are answered whenever the connection is read. {@link OpenFlowUnavailableException} says
 * the bridge could not be reached or answered nothing in time: the caller can do the same with a process.
 * The same connection counts a table's flows ({@link #flowsIn}: the canary's look, no process).
 */
final class OpenFlowConnection implements AutoCloseable {
  private final String bridge;
  private final Path socket;
  private final Duration timeout;
  /** False only in a test that shows what the switch does with a flow the checks would refuse. */
  private final boolean checked;
  private UnixSocketChannel channel;
  private int version;
  private int nextXid = 1;
  private int nextBundle = 1;
  private long bundles;

  OpenFlowConnection(String bridge, Path socket, Duration timeout) {
    this(bridge, socket, timeout, true);
  }

  OpenFlowConnection(String bridge, Path socket, Duration timeout, boolean checked) {
    this.bridge = Objects.requireNonNull(bridge, "bridge");
    this.socket = Objects.requireNonNull(socket, "socket");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.checked = checked;
  }

  Path socket() {
    return socket;
  }

  /** Bundles committed so far (tests and benchmarks count them). */
  synchronized long bundles() {
    return bundles;
  }

  /** The OpenFlow version of the open connection (0 while none is open). */
  synchronized int version() {
    return version;
  }

  /** The bridge could not be reached or did not answer in time; nothing is known to have changed. */
  static final class OpenFlowUnavailableException extends RuntimeException {
    OpenFlowUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The switch refused a flow or the bundle, or would have (nothing sent). The message says
   * whether the rest of the bundle was committed.
   */
  static final class OpenFlowErrorException extends RuntimeException {
    OpenFlowErrorException(String message) {
      super(message);
    }
  }

  /**
   * The changes as one atomic bundle. Throws {@link FlowMods.UnencodableFlowException} before
   * anything is sent when a change cannot be encoded, {@link OpenFlowErrorException} when the
   * switch would refuse one (naming it; nothing sent) or refused one or the commit (naming it, and
   * saying what was committed), {@link OpenFlowUnavailableException} when the bridge could not be
   * asked.
   */
  synchronized void bundle(List<FlowMods.Change> changes) throws FlowMods.UnencodableFlowException {
    notOnEventLoop();
    if (changes.isEmpty()) {
      return;
    }
    // Encoded once for the version first met: a new connection after a restart speaks it again.
    Encoded[] encoded = {null};
    onConnection(deadline -> {
      if (encoded[0] == null || encoded[0].version != version) {
        encoded[0] = encode(changes, version);
      }
      send(encoded[0], deadline);
      return null;
    });
    bundles++;
  }

  /**
   * How many flows the bridge holds in {@code table} now (a flow statistics request). Throws {@link
   * OpenFlowErrorException} when the switch refuses the request, {@link
   * OpenFlowUnavailableException} when the bridge could not be asked.
   */
  synchronized int flowsIn(int table) {
    notOnEventLoop();
    try {
      return onConnection(deadline -> countFlows(table, deadline));
    } catch (FlowMods.UnencodableFlowException e) {
      throw new IllegalStateException(e); // a flow statistics request encodes no flow
    }
  }

  private static void notOnEventLoop() {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("refusing to talk to ovs-vswitchd on an event-loop thread");
    }
  }

  /** One exchange with the switch on the open connection, within the call's deadline. */
  private interface Exchange<T> {
    T run(long deadline) throws IOException, FlowMods.UnencodableFlowException;
  }

  /**
   * Runs the exchange on the connection (opened if need be), the whole call bounded by the timeout;
   * when a connection that was open fails, once more on a new one.
   */
  private <T> T onConnection(Exchange<T> exchange) throws FlowMods.UnencodableFlowException {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean wasOpen = channel != null;
    try {
      open(deadline);
      return exchange.run(deadline);
    } catch (IOException e) {
      closeChannel();
      if (!wasOpen) {
        throw unavailable(e);
      }
      try {
        open(deadline);
        return exchange.run(deadline);
      } catch (IOException again) {
        closeChannel();
        throw unavailable(again);
      }
    }
  }

  private int countFlows(int table, long deadline) throws IOException {
    int xid = nextXid++;
    write(OpenFlowMessages.flowStatsRequest(version, xid, table), deadline);
    int flows = 0;
    while (true) {
      byte[] m = receive(deadline);
      if (OpenFlowMessages.xid(m) != xid) {
        continue; // not an answer to this request (none is expected: a call that gives up closes the connection)
      }
      if (OpenFlowMessages.type(m) == OpenFlowMessages.ERROR) {
        throw new OpenFlowErrorException("bridge " + bridge + " refused to list table " + table + ": "
            + OpenFlowMessages.describeError(m));
      }
      if (!OpenFlowMessages.isFlowStatsReply(m)) {
        throw new IOException("the switch answered a flow statistics request with message type " + OpenFlowMessages.type(m));
      }
      flows += OpenFlowMessages.flowEntries(m);
      if (!OpenFlowMessages.moreReplies(m)) {
        return flows;
      }
    }
  }

  private OpenFlowUnavailableException unavailable(IOException e) {
    return new OpenFlowUnavailableException("bridge " + bridge + " at " + socket + ": " + e.getMessage(), e);
  }

  /** The flow_mods of a bundle, each with its own xid (by which an error names its flow). */
  private record Encoded(int version, List<byte[]> flowMods, Map<Integer, FlowMods.Change> byXid) {}

  private Encoded encode(List<FlowMods.Change> changes, int version) throws FlowMods.UnencodableFlowException {
    List<byte[]> mods = new ArrayList<>(changes.size());
    Map<Integer, FlowMods.Change> byXid = new HashMap<>();
    for (FlowMods.Change c : changes) {
      int xid = nextXid++;
      try {
        mods.add(FlowMods.encode(c, version, xid, checked));
      } catch (FlowMods.RefusedFlowException e) {
        throw new OpenFlowErrorException("bridge " + bridge + " would refuse the flow bundle, nothing of it sent: "
            + e.getMessage());
      }
      byXid.put(xid, c);
    }
    return new Encoded(version, mods, byXid);
  }

  private void send(Encoded e, long deadline) throws IOException {
    int bundleId = nextBundle++;
    int openXid = nextXid++;
    int commitXid = nextXid++;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(OpenFlowMessages.bundleControl(version, openXid, bundleId, OpenFlowMessages.OPEN_REQUEST));
    for (byte[] mod : e.flowMods()) {
      out.writeBytes(OpenFlowMessages.bundleAdd(version, bundleId, mod));
    }
    out.writeBytes(OpenFlowMessages.bundleControl(version, commitXid, bundleId, OpenFlowMessages.COMMIT_REQUEST));
    write(out.toByteArray(), deadline);
    List<String> refused = new ArrayList<>();
    if (!awaitControl(commitXid, OpenFlowMessages.COMMIT_REPLY, e, openXid, deadline, refused)) {
      throw new OpenFlowErrorException("bridge " + bridge + " refused the flow bundle, nothing of it applied: "
          + String.join("; ", refused));
    }
    if (!refused.isEmpty()) {
      throw new OpenFlowErrorException("bridge " + bridge + " refused part of the flow bundle on arrival and committed"
          + " the rest: " + String.join("; ", refused));
    }
  }

  /**
   * Reads until the control reply of this xid (true) or an error for it (false); errors for the
   * bundle's other messages on the way go to {@code refused} (a commit that failed names the flow
   * first).
   */
  private boolean awaitControl(int xid, int replyType, Encoded e, int openXid, long deadline, List<String> refused)
      throws IOException {
    while (true) {
      byte[] m = receive(deadline);
      int got = OpenFlowMessages.xid(m);
      if (OpenFlowMessages.type(m) == OpenFlowMessages.ERROR) {
        if (got == xid) {
          if (refused.isEmpty()) {
            refused.add(OpenFlowMessages.describeError(m));
          }
          return false;
        }
        refused.add(errorText(m, got, e, openXid));
      } else if (got == xid && OpenFlowMessages.bundleControlType(m) == replyType) {
        return true;
      }
    }
  }

  private static String errorText(byte[] m, int xid, Encoded e, int openXid) {
    FlowMods.Change c = e.byXid().get(xid);
    if (c != null) {
      return "flow " + c.line() + ": " + OpenFlowMessages.describeError(m);
    }
    return (xid == openXid ? "opening the bundle: " : "") + OpenFlowMessages.describeError(m);
  }

  private void open(long deadline) throws IOException {
    if (channel != null) {
      return;
    }
    channel = UnixSocketChannel.open(socket, timeout, "ovs-vswitchd");
    try {
      write(OpenFlowMessages.hello(nextXid++), deadline);
      byte[] hello = receive(deadline);
      if (OpenFlowMessages.type(hello) != OpenFlowMessages.HELLO) {
        throw new IOException("the switch answered the hello with message type " + OpenFlowMessages.type(hello));
      }
      int v = OpenFlowMessages.negotiate(hello);
      if (v == 0) {
        throw new IOException("the switch speaks neither OpenFlow 1.3 nor 1.4 (its hello: version " + hello[0] + ")");
      }
      version = v;
    } catch (IOException | RuntimeException e) {
      closeChannel();
      throw e;
    }
  }

  private void write(byte[] bytes, long deadline) throws IOException {
    channel.write(bytes, deadline);
  }

  /** The next message that is not an echo request (those are answered on the way). */
  private byte[] receive(long deadline) throws IOException {
    while (true) {
      byte[] m = channel.read(OpenFlowConnection::messageEnd, deadline);
      if (OpenFlowMessages.type(m) == OpenFlowMessages.ECHO_REQUEST) {
        write(OpenFlowMessages.echoReply(m), deadline);
        continue;
      }
      return m;
    }
  }

  /** Where the first message ends: its header's length says, once the header is whole. */
  private static int messageEnd(byte[] bytes) throws IOException {
    if (bytes.length < OpenFlowMessages.HEADER) {
      return 0;
    }
    int length = (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
    if (length < OpenFlowMessages.HEADER) {
      throw new IOException("the switch sent a message of length " + length);
    }
    return bytes.length >= length ? length : 0;
  }

  private void closeChannel() {
    if (channel != null) {
      channel.close();
    }
    channel = null;
    version = 0;
  }

  @Override
  public synchronized void close() {
    closeChannel();
  }
}
