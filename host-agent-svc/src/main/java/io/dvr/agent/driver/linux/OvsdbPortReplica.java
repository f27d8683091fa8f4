package io.dvr.agent.driver.linux;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridges' ports of a host's Open vSwitch held in memory, kept up to date by a monitor of
 * ovsdb-server's Bridge, Port and Interface tables (RFC 7047 {@code monitor}), as ovn-controller
 * keeps its local database: reading the ports is then neither a round trip nor a transfer of every
 * port. It also tells the agent when a VM port (one carrying {@code external_ids:iface-id}) is
 * plugged, unplugged or gets its ofport, after the change is held, so that the apply it starts
 * reads it.
 *
 * <p>What a read holds: the tables as the server last sent them, plus every write the agent
 * announced with {@link #wrote()} before the read. ovsdb-server sends a session every update
 * committed before it takes the session's next request, so after a write has returned, an {@code
 * echo} sent on the monitor's connection is answered after the write's update: a read waits for
 * the answers to the echoes asked before it (usually long in by then). {@link #read(boolean,
 * Duration) A fresh read} asks one echo of its own, which also takes in everything others
 * committed before it. A read while the connection is down or not synced yet is empty: the caller
 * reads the tables itself.
 *
 * <p>The connection runs on a thread of its own, non-blocking underneath: it writes what is asked,
 * reads what comes, and ends when the server closes it, when a message cannot be read, or at
 * {@link #close()}; the next one is made after 1 s, doubling up to 30 s (back to 1 s after a
 * connection that lasted 30 s). Every new connection reads the tables afresh and calls back once,
 * since a port may have been plugged while it was down.
 */
final class OvsdbPortReplica implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OvsdbPortReplica.class);
  private static final long FIRST_BACKOFF_MILLIS = 1000;
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final long HEALTHY_MILLIS = 30_000;
  private static final String MONITOR_ID = "dvr-ports";
  private static final String MONITOR_CALL = "dvr-monitor";
  private static final String ECHO_PREFIX = "dvr-echo-";
  static final List<String> BRIDGE_COLUMNS = List.of("name", "ports");
  static final List<String> PORT_COLUMNS = List.of("name", "tag", "interfaces");
  static final List<String> INTERFACE_COLUMNS = List.of("name", "type", "ofport", "external_ids", "options");

  private final String host;
  private final Path socket;
  private final Thread thread;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean closed;
  /** Counted down at close: ends the wait between two connections at once. */
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile Runnable vmPortsMoved = () -> {};
  private volatile Selector selector;

  /** Guards everything below, and is waited on by reads. */
  private final Object lock = new Object();
  private final PortTables tables = new PortTables();
  /** Whether the tables hold the current connection's first answer. */
  private boolean synced;
  private long echoesAsked;
  private long echoesAnswered;
  /** Messages for the connection's thread to send, in order. */
  private final ArrayDeque<byte[]> outgoing = new ArrayDeque<>();
  private OvsPorts built;
  private long connections;

  OvsdbPortReplica(String host, Path socket) {
    this.host = host;
    this.socket = socket;
    this.thread = new Thread(this::run, "dvr-ovsdb-ports-" + host);
    this.thread.setDaemon(true);
  }

  /** Connects, once; later calls do nothing. */
  void start() {
    if (started.compareAndSet(false, true)) {
      thread.start();
    }
  }

  /**
   * Called on the replica's thread after a VM port was plugged, unplugged or changed its ofport,
   * and after each first read of the tables; it must only hand the news over.
   */
  void onVmPortsMoved(Runnable moved) {
    this.vmPortsMoved = moved;
    if (synced()) {
      moved.run(); // the first answer's news went to whoever listened before: a port may have been plugged since
    }
  }

  /** The agent changed the switch's database and the change has returned: reads from now on hold it. */
  void wrote() {
    synchronized (lock) {
      askEcho();
    }
    wakeUp();
  }

  /**
   * The ports as held, once every announced write is in (and, {@code fresh}, everything committed
   * before this call); empty while the connection is down, not synced yet, or the wait passes.
   */
  Optional<OvsPorts> read(boolean fresh, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (lock) {
      if (!synced) {
        return Optional.empty();
      }
      if (fresh) {
        askEcho();
        wakeUp();
      }
      long needed = echoesAsked;
      while (synced && echoesAnswered < needed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
      if (!synced) {
        return Optional.empty();
      }
      if (built == null) {
        built = tables.ports();
      }
      return Optional.of(built);
    }
  }

  /** Whether the current connection has had its first answer: reads are served. */
  boolean synced() {
    synchronized (lock) {
      return synced;
    }
  }

  /** How many connections reached their first answer (tests count reconnections). */
  long connections() {
    synchronized (lock) {
      return connections;
    }
  }

  private void askEcho() {
    long n = ++echoesAsked;
    outgoing.add(message(new JsonObject().put("method", "echo").put("params", new JsonArray().add(ECHO_PREFIX + n))
        .put("id", ECHO_PREFIX + n)));
  }

  private void wakeUp() {
    Selector s = selector;
    if (s != null) {
      s.wakeup();
    }
  }

  private static byte[] message(JsonObject json) {
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  private void run() {
    try {
      connectUntilClosed();
    } finally {
      synchronized (lock) { // whatever ended the thread, reads no longer serve what it held
        synced = false;
        lock.notifyAll();
      }
    }
  }

  /** Connections one after the other, with the backoff between them, until closed. */
  private void connectUntilClosed() {
    long backoff = FIRST_BACKOFF_MILLIS;
    boolean wasDown = false;
    while (!closed) {
      long began = System.currentTimeMillis();
      String why;
      try {
        why = connection();
      } catch (IOException | RuntimeException e) {
        why = e.getMessage() == null ? e.toString() : e.getMessage();
      }
      boolean hadSynced;
      synchronized (lock) {
        hadSynced = synced;
        synced = false;
        built = null;
        lock.notifyAll();
      }
      if (closed) {
        return;
      }
      if (System.currentTimeMillis() - began > HEALTHY_MILLIS) {
        backoff = FIRST_BACKOFF_MILLIS;
      }
      if (hadSynced) {
        LOG.warn("host {}: the ports' monitor on ovsdb-server at {} ended ({}); reading ports over a transaction"
            + " until it is back, next try in {} ms", host, socket, why, backoff);
      } else if (!wasDown) {
        LOG.warn("host {}: no ports' monitor on ovsdb-server at {} ({}); reading ports over a transaction until"
            + " it answers, next try in {} ms", host, socket, why, backoff);
      } else {
        LOG.debug("host {}: ovsdb-server at {} not reached for the ports' monitor ({})", host, socket, why);
      }
      wasDown = true;
      try {
        if (closing.await(backoff, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return; // closed
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
    }
  }

  /** One connection, to its end; returns why it ended. */
  private String connection() throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector s = Selector.open()) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      channel.configureBlocking(false);
      SelectionKey key = channel.register(s, SelectionKey.OP_READ);
      selector = s;
      long covered;
      synchronized (lock) {
        // The first answer holds every write made before the monitor is asked for.
        outgoing.clear();
        covered = echoesAsked;
      }
      JsonObject tablesAsked = new JsonObject().put("Bridge", columns(BRIDGE_COLUMNS)).put("Port", columns(PORT_COLUMNS))
          .put("Interface", columns(INTERFACE_COLUMNS));
      ByteBuffer out = ByteBuffer.wrap(message(new JsonObject().put("method", "monitor").put("params",
          new JsonArray().add(OvsdbSession.DATABASE).add(MONITOR_ID).add(tablesAsked)).put("id", MONITOR_CALL)));
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      ByteArrayOutputStream pending = new ByteArrayOutputStream();
      while (!closed) {
        out = write(channel, key, out);
        s.select(1000);
        s.selectedKeys().clear();
        while (true) {
          in.clear();
          int n = channel.read(in);
          if (n < 0) {
            return "ovsdb-server closed the connection";
          }
          if (n == 0) {
            break;
          }
          pending.write(in.array(), 0, n);
        }
        byte[] all = pending.toByteArray();
        int start = 0;
        for (int end = OvsdbSession.messageEnd(all, start); end > 0; end = OvsdbSession.messageEnd(all, start)) {
          String failure = handle(new String(all, start, end - start, StandardCharsets.UTF_8).strip(), covered);
          if (failure != null) {
            return failure;
          }
          start = end;
        }
        if (start > 0) {
          pending.reset();
          pending.write(all, start, all.length - start);
        }
      }
      return "closed";
    } finally {
      selector = null;
    }
  }

  /** Writes what it can of {@code out} and then of the messages asked; returns what is left of them. */
  private ByteBuffer write(SocketChannel channel, SelectionKey key, ByteBuffer out) throws IOException {
    while (true) {
      if (out == null || !out.hasRemaining()) {
        synchronized (lock) {
          byte[] next = outgoing.poll();
          out = next == null ? null : ByteBuffer.wrap(next);
        }
        if (out == null) {
          key.interestOps(SelectionKey.OP_READ);
          return null;
        }
      }
      channel.write(out);
      if (out.hasRemaining()) {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE); // the server's buffer is full: later
        return out;
      }
    }
  }

  /** One message from the server; returns why the connection must end, or null. */
  private String handle(String text, long covered) {
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (DecodeException e) {
      return "ovsdb-server sent what is not a JSON object: " + e.getMessage();
    }
    String method = msg.getString("method");
    Object id = msg.getValue("id");
    if ("update".equals(method)) {
      JsonArray params = msg.getJsonArray("params", new JsonArray());
      if (params.size() == 2 && MONITOR_ID.equals(params.getValue(0)) && params.getValue(1) instanceof JsonObject updates) {
        boolean moved;
        synchronized (lock) {
          moved = tables.apply(updates);
          built = null;
        }
        if (moved) {
          vmPortsMoved.run();
        }
      }
    } else if ("echo".equals(method) && id != null) {
      synchronized (lock) {
        outgoing.add(message(new JsonObject().put("result", msg.getValue("params")).putNull("error").put("id", id)));
      }
    } else if (MONITOR_CALL.equals(id)) {
      if (msg.getValue("error") != null || !(msg.getValue("result") instanceof JsonObject initial)) {
        return "ovsdb-server refused the monitor: " + msg.getValue("error");
      }
      synchronized (lock) {
        tables.clear();
        tables.apply(initial);
        built = null;
        synced = true;
        connections++;
        echoesAnswered = Math.max(echoesAnswered, covered);
        lock.notifyAll();
        if (connections > 1) {
          LOG.info("host {}: the ports' monitor on ovsdb-server at {} is back; ports are read from it again", host, socket);
        }
      }
      vmPortsMoved.run();
    } else if (id instanceof String s && s.startsWith(ECHO_PREFIX)) {
      long n;
      try {
        n = Long.parseLong(s.substring(ECHO_PREFIX.length()));
      } catch (NumberFormatException e) {
        return null;
      }
      synchronized (lock) {
        echoesAnswered = Math.max(echoesAnswered, n);
        lock.notifyAll();
      }
    }
    return null;
  }

  private static JsonObject columns(List<String> columns) {
    return new JsonObject().put("columns", new JsonArray(columns));
  }

  @Override
  public void close() {
    closed = true;
    closing.countDown();
    wakeUp();
    thread.interrupt();
    synchronized (lock) {
      synced = false;
      lock.notifyAll();
    }
  }

  /**
   * The three tables as the monitor's updates leave them, rows by uuid. Not thread-safe: the
   * replica's lock guards it.
   */
  static final class PortTables {
    private final Map<String, JsonObject> bridges = new HashMap<>();
    private final Map<String, JsonObject> ports = new HashMap<>();
    private final Map<String, JsonObject> interfaces = new HashMap<>();

    void clear() {
      bridges.clear();
      ports.clear();
      interfaces.clear();
    }

    /**
     * Applies one {@code <table-updates>}: a row with "new" is inserted or has those columns
     * replaced, a row with "old" alone is deleted. Returns whether an interface carrying an
     * iface-id (before or after) was inserted, deleted or changed.
     */
    boolean apply(JsonObject updates) {
      apply(updates.getJsonObject("Bridge"), bridges);
      apply(updates.getJsonObject("Port"), ports);
      JsonObject ifaces = updates.getJsonObject("Interface");
      boolean vmMoved = false;
      if (ifaces != null) {
        for (String uuid : ifaces.fieldNames()) {
          JsonObject update = ifaces.getJsonObject(uuid);
          JsonObject before = interfaces.get(uuid);
          JsonObject after = applyRow(uuid, update, interfaces);
          vmMoved |= isVmPort(before) || isVmPort(after) || isVmPort(update.getJsonObject("old"));
        }
      }
      return vmMoved;
    }

    private static void apply(JsonObject table, Map<String, JsonObject> rows) {
      if (table != null) {
        table.fieldNames().forEach(uuid -> applyRow(uuid, table.getJsonObject(uuid), rows));
      }
    }

    /** Returns the row after the update, null when deleted. */
    private static JsonObject applyRow(String uuid, JsonObject update, Map<String, JsonObject> rows) {
      JsonObject next = update.getJsonObject("new");
      if (next == null) {
        rows.remove(uuid);
        return null;
      }
      JsonObject row = rows.containsKey(uuid) ? rows.get(uuid).copy() : new JsonObject();
      next.forEach(e -> row.put(e.getKey(), e.getValue()));
      rows.put(uuid, row);
      return row;
    }

    private static boolean isVmPort(JsonObject row) {
      return row != null && row.getValue("external_ids") instanceof JsonArray map
          && OvsPorts.mapOf(map).containsKey(OvsPorts.IFACE_ID);
    }

    /** The tables as the model's ports. */
    OvsPorts ports() {
      return OvsPorts.of(rows(bridges, BRIDGE_COLUMNS, false), rows(ports, PORT_COLUMNS, true),
          rows(interfaces, INTERFACE_COLUMNS, true));
    }

    /** Rows in the form a select's cells take: the uuid first when asked, then the columns in order. */
    private static List<JsonArray> rows(Map<String, JsonObject> table, List<String> columns, boolean withUuid) {
      return table.entrySet().stream().map(e -> {
        JsonArray cells = new JsonArray();
        if (withUuid) {
          cells.add(new JsonArray().add("uuid").add(e.getKey()));
        }
        columns.forEach(c -> cells.add(e.getValue().getValue(c, emptyCell(c))));
        return cells;
      }).toList();
    }

    /** What a column holds when a row lacks it: an empty set, or an empty map. */
    private static Object emptyCell(String column) {
      return column.equals("external_ids") || column.equals("options")
          ? new JsonArray().add("map").add(new JsonArray()) : new JsonArray().add("set").add(new JsonArray());
    }
  }
}
