package io.dvr.agent.driver.linux;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the bridges' ports of a host: from the replica its ovsdb-server's monitor keeps when there
 * is a socket and the replica is synced (no transfer; a fresh read waits for one echo), else over
 * the session with ovsdb-server (one transaction on an open connection), else with one {@code
 * ovs-vsctl} process. All read the same tables and columns; the fallbacks keep a host whose socket
 * is not where the settings say (or whose server is restarting) working as before. Blocking: a
 * worker's call.
 */
final class PortReader {
  private static final Logger LOG = LoggerFactory.getLogger(PortReader.class);
  private static final Duration MAX_REPLICA_WAIT = Duration.ofSeconds(5);

  private final String host;
  private final CommandRunner runner;
  /** Null: every read is a process. */
  private final OvsdbSession session;
  /** Null when there is no session. */
  private final OvsdbPortReplica replica;
  /** How long a read waits for the replica to take in the agent's writes before reading over the session. */
  private final Duration replicaWait;
  private final AtomicLong readsOutsideTheReplica = new AtomicLong();
  /** Whether the last read over the session failed: logged once per change, not per read. */
  private final AtomicBoolean sessionDown = new AtomicBoolean();

  PortReader(String host, CommandRunner runner, OvsdbSession session) {
    this.host = host;
    this.runner = runner;
    this.session = session;
    this.replica = session == null ? null : new OvsdbPortReplica(host, session.socket());
    // An echo is answered in about a millisecond; far longer means the server is stuck or the
    // connection is broken, and the transaction's own time limit then applies.
    this.replicaWait = session == null ? Duration.ZERO
        : session.timeout().compareTo(MAX_REPLICA_WAIT) < 0 ? session.timeout() : MAX_REPLICA_WAIT;
  }

  /**
   * The ports with everything committed before this call, the agent's writes and others': what a
   * whole read of the host takes.
   */
  OvsPorts read() {
    return read(true);
  }

  /**
   * The ports as the switch last reported them, with the agent's own writes ({@link #wrote()}):
   * a port plugged by others this very moment may be missing, its report then comes through the
   * replica's call back. No round trip when the replica is synced.
   */
  OvsPorts reported() {
    return read(false);
  }

  private OvsPorts read(boolean fresh) {
    if (replica != null) {
      replica.start();
      Optional<OvsPorts> held = replica.read(fresh, replicaWait);
      if (held.isPresent()) {
        return held.get();
      }
    }
    readsOutsideTheReplica.incrementAndGet();
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

  /** The agent wrote to the switch's database and the write returned: later reads hold it. */
  void wrote() {
    if (replica != null) {
      replica.wrote();
    }
  }

  /** Reads that took a transaction or a process so far (tests count them). */
  long readsOutsideTheReplica() {
    return readsOutsideTheReplica.get();
  }

  /** The replica, or null when there is no session. */
  OvsdbPortReplica replica() {
    return replica;
  }

  /** The session, or null when every read is a process. */
  OvsdbSession session() {
    return session;
  }
}
