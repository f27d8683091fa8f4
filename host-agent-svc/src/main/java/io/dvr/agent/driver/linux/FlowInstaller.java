package io.dvr.agent.driver.linux;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs a plan's flow bundle of a bridge: over that bridge's OpenFlow connection when there is a
 * run directory and the bundle can be encoded and the socket answers (one bundle on an open
 * connection), else with one {@code ovs-ofctl --bundle} process. The two send the same flow_mods in
 * one atomic bundle; the fallback keeps a bridge whose socket is not where the settings say (or
 * whose ovs-vswitchd is restarting), or a flow with a word the encoder does not know, working as
 * before. Why a bundle went as a process is logged when it changes, not per bundle. Blocking: a
 * worker's call.
 */
final class FlowInstaller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlowInstaller.class);
  /** What a bridge's bundles went over last: "" over the connection, else why they are processes. */
  private static final String OVER_CONNECTION = "";

  private final String host;
  private final CommandRunner runner;
  private final LinuxOptions options;
  /** Null: every bundle is a process. */
  private final Path runDir;
  private final Map<String, OpenFlowConnection> connections = new ConcurrentHashMap<>();
  private final Map<String, String> lastWay = new ConcurrentHashMap<>();

  FlowInstaller(String host, CommandRunner runner, LinuxOptions options, Path runDir) {
    this.host = host;
    this.runner = runner;
    this.options = options;
    this.runDir = runDir;
  }

  /** A bridge's management socket in ovs-vswitchd's run directory. */
  static Path managementSocket(Path runDir, String bridge) {
    return runDir.resolve(Args.name(bridge) + ".mgmt");
  }

  /**
   * The changes as one atomic bundle on {@code bridge}. Throws {@link
   * OpenFlowConnection.OpenFlowErrorException} when the switch refused a flow (naming it; nothing
   * changed), or the process's failure.
   */
  void install(Action.Flows flows) {
    if (runDir != null) {
      OpenFlowConnection connection = connection(flows.bridge());
      try {
        long start = System.nanoTime();
        connection.bundle(flows.changes());
        LOG.debug("{} us: bundle of {} flow changes on {} over OpenFlow", (System.nanoTime() - start) / 1000,
            flows.changes().size(), flows.bridge());
        wentBy(flows.bridge(), OVER_CONNECTION, connection);
        return;
      } catch (OpenFlowConnection.OpenFlowUnavailableException e) {
        wentBy(flows.bridge(), "cannot send it over " + connection.socket() + " (" + e.getMessage() + ")", connection);
      } catch (FlowMods.UnencodableFlowException e) {
        wentBy(flows.bridge(), "a flow is not encoded here (" + e.getMessage() + ")", connection);
      }
    }
    CommandResult r = runner.exec(flows.command());
    if (!r.ok()) {
      throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), "");
    }
  }

  /**
   * How many flows {@code bridge} holds in {@code table}, asked over its OpenFlow connection; empty
   * when there is no run directory or the switch could not be asked or would not say (the caller
   * can ask with a process).
   */
  OptionalInt flowsIn(String bridge, int table) {
    if (runDir == null) {
      return OptionalInt.empty();
    }
    OpenFlowConnection connection = connection(bridge);
    try {
      return OptionalInt.of(connection.flowsIn(table));
    } catch (OpenFlowConnection.OpenFlowUnavailableException | OpenFlowConnection.OpenFlowErrorException e) {
      LOG.debug("host {}: cannot count the flows of {} table {} over {}: {}", host, bridge, table, connection.socket(),
          e.getMessage());
      return OptionalInt.empty();
    }
  }

  private OpenFlowConnection connection(String bridge) {
    return connections.computeIfAbsent(bridge, b -> new OpenFlowConnection(b, managementSocket(runDir, b),
        options.timeout()));
  }

  private void wentBy(String bridge, String way, OpenFlowConnection connection) {
    String before = lastWay.put(bridge, way);
    if (way.equals(before)) {
      return;
    }
    if (way.equals(OVER_CONNECTION)) {
      if (before != null) {
        LOG.info("host {}: bridge {} answers at {} again; its flow bundles go over OpenFlow", host, bridge,
            connection.socket());
      }
    } else if (before == null || before.equals(OVER_CONNECTION)) {
      // Once when it starts; a change of reason alone is not worth a line per bundle.
      LOG.warn("host {}: bridge {}: {}; its flow bundles go as ovs-ofctl processes", host, bridge, way);
    }
  }

  /** Bundles committed over OpenFlow so far, all bridges. */
  long bundlesOverOpenFlow() {
    return connections.values().stream().mapToLong(OpenFlowConnection::bundles).sum();
  }

  @Override
  public void close() {
    connections.values().forEach(OpenFlowConnection::close);
  }
}
