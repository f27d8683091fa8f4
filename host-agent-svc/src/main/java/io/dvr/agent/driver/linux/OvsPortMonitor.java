package io.dvr.agent.driver.linux;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the Interface table of the host's Open vSwitch ({@code ovsdb-client monitor}, as
 * Neutron's OVS agent does) and calls back when a VM port, one carrying {@code
 * external_ids:iface-id}, is plugged, unplugged or gets its ofport. A VM plugged after the agent
 * applied then gets its VLAN tag and flows at once rather than at the next periodic resync.
 * The agent's own devices (marked {@code dvr-dev}) do not call back: it applied them.
 *
 * <p>It also calls back on each first read of the table (at start, and after a restart of the
 * monitor), since a port may have been plugged before. The monitor is a subscription, not a call:
 * it runs until closed, on a thread of its own that only reads the process's output. When the
 * process ends (OVS restarted), the next one is scheduled after 1 s, doubling up to 30 s.
 */
final class OvsPortMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OvsPortMonitor.class);
  private static final long FIRST_BACKOFF_MILLIS = 1000;
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  /** A monitor that ran this long before ending counts as healthy: the next restart waits 1 s again. */
  private static final long HEALTHY_MILLIS = 30_000;

  private final String host;
  private final List<String> argv;
  private final Runnable changed;
  /** Runs one monitor process at a time, to its end, and schedules the restart after it. */
  private final ScheduledExecutorService runner;
  private volatile boolean closed;
  private volatile Process process;
  /** Only touched on the runner's thread. */
  private long backoff = FIRST_BACKOFF_MILLIS;

  /**
   * @param shell where the host's Open vSwitch is reached (nsenter into a lab host, or here)
   * @param changed called on the monitor's thread; must only hand the news over
   */
  OvsPortMonitor(String host, HostShell shell, Runnable changed) {
    this.host = host;
    this.argv = shell.wrap(Command.of("ovsdb-client", "monitor", "Open_vSwitch", "Interface",
        "name,ofport,external_ids", "--format=json")).argv();
    this.changed = changed;
    this.runner = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dvr-ovs-monitor-" + host);
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    runner.execute(this::run);
  }

  /** One monitor process to its end, then the next one after the backoff (none once closed). */
  private void run() {
    long started = System.currentTimeMillis();
    String lastOther = follow();
    if (closed) {
      return;
    }
    if (System.currentTimeMillis() - started > HEALTHY_MILLIS) {
      backoff = FIRST_BACKOFF_MILLIS;
    }
    LOG.warn("host {}: the Open vSwitch port monitor ended ({}); starting it again in {} ms", host,
        lastOther.isEmpty() ? "no message" : lastOther, backoff);
    try {
      runner.schedule(this::run, backoff, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return; // closed meanwhile
    }
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
  }

  /** Runs one monitor process to its end; returns the last line that was not an update (its error). */
  private String follow() {
    String lastOther = "";
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      process = p;
      if (closed) {
        p.destroy();
        return lastOther;
      }
      boolean initial = true;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null && !closed; line = out.readLine()) {
          if (!line.startsWith("{")) {
            lastOther = line;
            continue;
          }
          // The first update is the table as it is now: a port plugged before it was read, or while the
          // monitor was down, would be missed without one apply after it (before the first sync it costs nothing).
          if (initial || touchesVmPort(line)) {
            changed.run();
          }
          initial = false;
        }
      }
      p.destroy();
    } catch (IOException e) {
      lastOther = "cannot run " + String.join(" ", argv) + ": " + e.getMessage();
    } catch (RuntimeException e) {
      lastOther = e.toString();
    }
    return lastOther;
  }

  /**
   * Whether one update of {@code ovsdb-client monitor --format=json} inserts, deletes or changes an
   * interface carrying an iface-id. A modified row comes as an "old" row (changed columns only)
   * and a "new" row (all columns), so the "new" row names the iface-id.
   */
  static boolean touchesVmPort(String update) {
    JsonObject table;
    try {
      table = new JsonObject(update);
    } catch (DecodeException e) {
      return false;
    }
    JsonArray headings = table.getJsonArray("headings", new JsonArray());
    int action = headings.getList().indexOf("action");
    int externalIds = headings.getList().indexOf("external_ids");
    if (action < 0 || externalIds < 0) {
      return false;
    }
    for (Object rowObject : table.getJsonArray("data", new JsonArray())) {
      if (!(rowObject instanceof JsonArray row) || row.size() <= Math.max(action, externalIds)) {
        continue;
      }
      String what = String.valueOf(row.getValue(action));
      if (("insert".equals(what) || "delete".equals(what) || "new".equals(what))
          && hasKey(row.getValue(externalIds), OvsPorts.IFACE_ID)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an OVSDB map ({@code ["map", [[k, v], ...]]}) or its text form holds the key. */
  private static boolean hasKey(Object map, String key) {
    if (map instanceof JsonArray a && a.size() == 2 && "map".equals(a.getValue(0)) && a.getValue(1) instanceof JsonArray pairs) {
      for (Object pair : pairs) {
        if (pair instanceof JsonArray kv && kv.size() == 2 && key.equals(kv.getValue(0))) {
          return true;
        }
      }
      return false;
    }
    // ovsdb-client prints cells as text in some versions: {iface-id="..."}.
    return map instanceof String s && (s.contains(key + "=") || s.contains("\"" + key + "\""));
  }

  @Override
  public void close() {
    closed = true;
    Process p = process;
    if (p != null) {
      p.destroy();
    }
    runner.shutdownNow();
  }
}
