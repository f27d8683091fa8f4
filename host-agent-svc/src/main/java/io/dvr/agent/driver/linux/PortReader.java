package io.dvr.agent.driver.linux;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the bridges' ports of a host: over the session with its ovsdb-server when there is one and
 * it answers (one transaction on an open connection), else with one {@code ovs-vsctl} process. The
 * two read the same tables and columns; the fallback keeps a host whose socket is not where the
 * settings say (or whose server is restarting) working as before. Blocking: a worker's call.
 */
final class PortReader {
  private static final Logger LOG = LoggerFactory.getLogger(PortReader.class);

  private final String host;
  private final CommandRunner runner;
  /** Null: every read is a process. */
  private final OvsdbSession session;
  /** Whether the last read over the session failed: logged once per change, not per read. */
  private final AtomicBoolean sessionDown = new AtomicBoolean();

  PortReader(String host, CommandRunner runner, OvsdbSession session) {
    this.host = host;
    this.runner = runner;
    this.session = session;
  }

  OvsPorts read() {
    if (session != null) {
      try {
        OvsPorts ports = OvsPorts.read(session);
        if (sessionDown.compareAndSet(true, false)) {
          LOG.info("host {}: ovsdb-server answers at {} again; reading the ports over it", host, session.socket());
        }
        return ports;
      } catch (OvsdbSession.OvsdbUnavailableException e) {
        if (sessionDown.compareAndSet(false, true)) {
          LOG.warn("host {}: cannot read the ports over ovsdb-server's socket ({}); reading them with ovs-vsctl", host,
              e.getMessage());
        }
      }
    }
    return OvsPorts.read(runner);
  }

  /** The session, or null when every read is a process. */
  OvsdbSession session() {
    return session;
  }
}
