package io.dvr.agent.driver.linux;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The short path for a floating IP's nat rules: per namespace one long-lived {@link NatSession}, so
 * that a delta of a few rules costs a write on a pipe and the kernel's announcement of its commit
 * instead of an {@code iptables-restore} process (whose exit also waits on nf_tables' clean-up).
 * At most {@code max} sessions are kept (the least recently used goes first). A session holds its
 * namespace alive: a plan that makes or deletes a namespace {@link #forget forgets} its session
 * first, and a session whose namespace is no longer the one of that name is not used. A block that
 * fails, or is not announced in time, ends its session; the caller then reads the table and
 * restores in full as before. Where a session cannot start (no {@code xtables-monitor}, no
 * announcement), the caller runs its one-shot restore, and no session is tried for {@link
 * #START_RETRY}. Thread-safe.
 */
final class NatSessions implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NatSessions.class);
  static final int MAX_SESSIONS = 32;
  /** A small delta commits in milliseconds: longer means the announcement was lost, and the full path repairs. */
  static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

  /**
   * After a session could not start, none is tried for this long: where the monitor hears nothing
   * (iptables on its legacy backend, whose commits nf_tables never announces) each try costs the
   * probes' half second.
   */
  static final Duration START_RETRY = Duration.ofMinutes(10);

  private final NamespaceSessions<NatSession> sessions;
  private final AtomicLong blocksRun = new AtomicLong();
  private final AtomicLong startsTried = new AtomicLong();
  private volatile long noStartUntilNanos = System.nanoTime();
  private volatile boolean startFailureLogged;

  NatSessions(HostShell shell, Duration timeout, int max) {
    Duration ack = timeout.compareTo(ACK_TIMEOUT) < 0 ? timeout : ACK_TIMEOUT;
    this.sessions = new NamespaceSessions<>(max, ns -> {
      if (System.nanoTime() - noStartUntilNanos < 0) {
        return null;
      }
      startsTried.incrementAndGet();
      try {
        return NatSession.start(shell, ns, ack);
      } catch (CommandFailedException e) {
        noStartUntilNanos = System.nanoTime() + START_RETRY.toNanos();
        if (!startFailureLogged) {
          startFailureLogged = true;
          LOG.info("no nat session in {} ({}); floating IPs' nat goes through an iptables-restore each, and no session"
              + " is tried for {} min", ns, e.getMessage(), START_RETRY.toMinutes());
        }
        return null;
      }
    });
  }

  /**
   * Commits the {@code iptables-restore -n} block in the namespace through its session. Empty,
   * having run nothing, when no session can take it; else the result as a one-shot restore would
   * give it (exit 0, or the restore's message).
   */
  Optional<CommandResult> apply(String namespace, String block) {
    NatSession session = sessions.of(namespace);
    if (session != null && !usable(session)) {
      session = sessions.of(namespace); // one of the namespace made anew, or of one whose process ended
    }
    if (session == null) {
      return Optional.empty();
    }
    synchronized (session) {
      if (!usable(session)) {
        return Optional.empty();
      }
      long start = System.nanoTime();
      try {
        session.apply(block);
        blocksRun.incrementAndGet();
        return Optional.of(new CommandResult(session.command(), 0, "", "", Duration.ofNanos(System.nanoTime() - start)));
      } catch (CommandFailedException e) {
        sessions.drop(session); // ended by the failure, or its state unknown: the next block starts a new one
        return Optional.of(new CommandResult(session.command(), e.exitCode() == 0 ? 1 : e.exitCode(), "",
            String.join("\n", e.stderrLines()), Duration.ofNanos(System.nanoTime() - start)));
      }
    }
  }

  /** Whether the session still runs in the namespace of its name; drops it when not. */
  private boolean usable(NatSession session) {
    synchronized (session) {
      if (session.alive() && session.holdsItsNamespace()) {
        return true;
      }
    }
    sessions.drop(session);
    return false;
  }

  /** Ends the session of a namespace that is about to be made, deleted or restored in full. */
  void forget(String namespace) {
    sessions.forget(namespace);
  }

  /** Blocks committed through sessions so far, and sessions started (tests and benchmarks read them). */
  long blocksRun() {
    return blocksRun.get();
  }

  long sessionsStarted() {
    return sessions.started();
  }

  /** Session starts tried, those that failed included. */
  long startsTried() {
    return startsTried.get();
  }

  int open() {
    return sessions.open();
  }

  @Override
  public void close() {
    sessions.close();
  }
}
