package io.dvr.agent.driver.linux;

import io.vertx.core.Context;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One long-lived JSON-RPC session (RFC 7047) with a host's {@code ovsdb-server} over its unix
 * socket: a {@code transact} is one write and one read on a connection already open, where an
 * {@code ovs-vsctl} is a process (through {@code nsenter} for a lab host) that connects, reads
 * the schema and the tables, and exits. What the host's Open vSwitch holds is the same either way.
 *
 * <p>Blocking, one call at a time (callers hold the session's lock), each bounded by the timeout:
 * call it from a worker, never an event loop. The connection is opened at the first call and
 * again after any failure; a call that fails on a connection that was already open (the server
 * restarted) is tried once more on a new one. {@link OvsdbUnavailableException} says the server
 * could not be reached or answered nothing in time: the caller can do the same with a process.
 */
final class OvsdbSession implements AutoCloseable {
  static final String DATABASE = "Open_vSwitch";

  private final Path socket;
  private final Duration timeout;
  private UnixSocketChannel channel;
  private long nextId;
  private long calls;

  OvsdbSession(Path socket, Duration timeout) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  Path socket() {
    return socket;
  }

  Duration timeout() {
    return timeout;
  }

  /** Transactions answered so far (tests and benchmarks count them). */
  synchronized long calls() {
    return calls;
  }

  /** The server could not be reached, or did not answer in time; nothing is known to have been done. */
  static final class OvsdbUnavailableException extends RuntimeException {
    OvsdbUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The server answered with an error: the transaction was not committed. */
  static final class OvsdbErrorException extends RuntimeException {
    OvsdbErrorException(String message) {
      super(message);
    }
  }

  /**
   * One {@code transact} of these operations on {@link #DATABASE}; returns the operations' results
   * in order. Throws {@link OvsdbErrorException} when an operation or the commit failed (naming
   * the first failure), {@link OvsdbUnavailableException} when the server could not be asked.
   */
  synchronized JsonArray transact(JsonArray operations) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("refusing to talk to ovsdb-server on an event-loop thread");
    }
    JsonArray params = new JsonArray().add(DATABASE);
    operations.forEach(params::add);
    boolean wasOpen = channel != null;
    JsonObject reply;
    try {
      reply = call("transact", params);
    } catch (IOException e) {
      closeChannel();
      if (!wasOpen) {
        throw new OvsdbUnavailableException("ovsdb-server at " + socket + ": " + e.getMessage(), e);
      }
      try { // the server restarted since the last call: once more on a new connection
        reply = call("transact", params);
      } catch (IOException again) {
        closeChannel();
        throw new OvsdbUnavailableException("ovsdb-server at " + socket + ": " + again.getMessage(), again);
      }
    }
    calls++;
    Object error = reply.getValue("error");
    if (error != null) {
      throw new OvsdbErrorException("ovsdb-server at " + socket + " refused the transaction: " + error);
    }
    JsonArray results = reply.getJsonArray("result");
    for (int i = 0; i < results.size(); i++) {
      if (results.getValue(i) instanceof JsonObject r && r.getValue("error") != null) {
        String which = i < operations.size() ? "operation " + (i + 1) + " (" + describe(operations.getJsonObject(i))
            + ")" : "the commit";
        throw new OvsdbErrorException("ovsdb-server at " + socket + ": " + which + " failed: " + r.getValue("error")
            + (r.getValue("details") == null ? "" : ": " + r.getValue("details")));
      }
    }
    return results;
  }

  /** An operation as a failure names it: what, on which table, where. */
  private static String describe(JsonObject op) {
    return op.getString("op") + " on " + op.getString("table")
        + (op.getJsonArray("where", new JsonArray()).isEmpty() ? "" : " where " + op.getJsonArray("where").encode());
  }

  private JsonObject call(String method, JsonArray params) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (channel == null) {
      channel = UnixSocketChannel.open(socket, timeout, "ovsdb-server");
    }
    long id = ++nextId;
    send(new JsonObject().put("method", method).put("params", params).put("id", id), deadline);
    while (true) {
      JsonObject message = receive(deadline);
      if (message.containsKey("method")) {
        answer(message, deadline);
      } else if (message.getValue("id") instanceof Number n && n.longValue() == id) {
        return message;
      }
      // A late reply to an earlier call that timed out is not this one's: read on.
    }
  }

  /** The server's own requests: an echo (its inactivity probe) is answered, anything else ignored. */
  private void answer(JsonObject request, long deadline) throws IOException {
    if ("echo".equals(request.getString("method")) && request.containsKey("id")) {
      send(new JsonObject().put("result", request.getValue("params")).put("error", null).put("id",
          request.getValue("id")), deadline);
    }
  }

  private void send(JsonObject message, long deadline) throws IOException {
    channel.write(message.encode().getBytes(StandardCharsets.UTF_8), deadline);
  }

  /** The next whole JSON object from the server (messages follow each other with no framing). */
  private JsonObject receive(long deadline) throws IOException {
    byte[] message = channel.read(OvsdbSession::messageEnd, deadline);
    try {
      return new JsonObject(new String(message, StandardCharsets.UTF_8).strip());
    } catch (DecodeException e) {
      throw new IOException("ovsdb-server sent what is not a JSON object: " + e.getMessage(), e);
    }
  }

  /**
   * Where the first JSON object in {@code bytes} ends (exclusive), or 0 while it is not whole:
   * braces and brackets counted outside strings, escapes inside them skipped.
   */
  static int messageEnd(byte[] bytes) {
    return messageEnd(bytes, 0);
  }

  /** Where the first JSON object at or after {@code from} ends (exclusive), or 0 while it is not whole. */
  static int messageEnd(byte[] bytes, int from) {
    int depth = 0;
    boolean inString = false;
    boolean started = false;
    for (int i = from; i < bytes.length; i++) {
      byte b = bytes[i];
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
        started = true;
      } else if (b == '}' || b == ']') {
        depth--;
        if (started && depth == 0) {
          return i + 1;
        }
      }
    }
    return 0;
  }

  private void closeChannel() {
    if (channel != null) {
      channel.close();
    }
    channel = null;
  }

  @Override
  public synchronized void close() {
    closeChannel();
  }
}
