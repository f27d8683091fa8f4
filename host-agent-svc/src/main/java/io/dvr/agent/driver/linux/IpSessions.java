package io.dvr.agent.driver.linux;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The short path for small changes: per namespace one long-lived {@link IpSession}, so that a
 * plan of a few ip lines (one ARP entry, a floating IP's rule, address and route) costs a write
 * and a read on a pipe instead of starting a process ({@code nsenter} + {@code ip}) per plan.
 * At most {@code max} sessions are kept (the least recently used goes first); a plan that makes or
 * deletes a namespace, or a device in it, {@link #forget forgets} its session first, since a
 * session holds the namespace it was started in and ip keeps each device's index by name for its
 * lifetime; a line that fails ends its session too. A batch above {@code maxLines} lines, or one the session cannot
 * take (its namespace is not the one of that name any more, its ip ended), is left to the caller's
 * one-shot {@code ip -batch}. Thread-safe.
 */
final class IpSessions implements AutoCloseable {
  /** Larger batches go to one ip process: one round trip per line would cost more than the start. */
  static final int MAX_LINES = 32;
  static final int MAX_SESSIONS = 64;

  private final NamespaceSessions<IpSession> sessions;
  private final AtomicLong linesRun = new AtomicLong();
  private final AtomicLong namespacesAsked = new AtomicLong();

  IpSessions(HostShell shell, Duration timeout, int max) {
    this.sessions = new NamespaceSessions<>(max, ns -> {
      try {
        return IpSession.start(shell, ns, timeout);
      } catch (CommandFailedException e) {
        return null;
      }
    });
  }

  /**
   * Whether a batch is small enough and of a named namespace (the host's own has no name to check),
   * and runs no program: a {@code netns exec} line's program would share the session's pipes.
   */
  static boolean takes(List<Action.Ip> batch) {
    return !batch.isEmpty() && batch.size() <= MAX_LINES && !batch.get(0).namespace().isEmpty()
        && batch.stream().noneMatch(ip -> ip.words().get(0).equals("netns"));
  }

  /**
   * Runs the batch (one namespace) line by line, as {@code ip -batch} would: a failing line whose
   * error is tolerated is skipped, any other failure stops the batch and is thrown naming the
   * session's command and the line. Returns false, having run nothing, when no session can take it.
   */
  boolean run(List<Action.Ip> batch) {
    String ns = batch.get(0).namespace();
    IpSession session = sessions.of(ns);
    if (session == null) {
      return false;
    }
    synchronized (session) {
      try {
        // The ip is asked only when /proc does not say yes: a session just started, or a namespace made anew.
        if (!session.alive() || !session.inItsNamespace() && !asked(session)) {
          sessions.drop(session);
          return false;
        }
      } catch (CommandFailedException e) {
        sessions.drop(session);
        return false;
      }
      for (int i = 0; i < batch.size(); i++) {
        Action.Ip ip = batch.get(i);
        List<String> printed;
        try {
          printed = session.run(ip.line());
        } catch (CommandFailedException e) {
          sessions.drop(session); // ended or timed out: the next batch starts a new one
          throw e;
        }
        linesRun.incrementAndGet();
        String text = String.join("\n", printed);
        if (text.contains("Command failed") && ip.tolerated().stream().noneMatch(text::contains)) {
          // The session's own line count means nothing to a reader: the input lines say which failed.
          String stderr = String.join("\n", printed.stream().filter(l -> !l.startsWith("Command failed")).toList());
          // What the session remembers (device indexes by name) may be what failed: the next batch starts anew.
          sessions.drop(session);
          throw new CommandFailedException(session.command(), 1, stderr, around(batch, i));
        }
      }
      return true;
    }
  }

  private boolean asked(IpSession session) {
    namespacesAsked.incrementAndGet();
    return session.holdsItsNamespace();
  }

  /** The failing line with one line either side, numbered within the batch, as a one-shot batch reports it. */
  private static String around(List<Action.Ip> lines, int failed) {
    StringBuilder s = new StringBuilder();
    for (int i = Math.max(0, failed - 1); i <= Math.min(lines.size() - 1, failed + 1); i++) {
      s.append(i == failed ? "> " : "  ").append(i + 1).append(": ").append(lines.get(i).line()).append('\n');
    }
    return s.toString();
  }

  /** Ends the session of a namespace that is about to be made or deleted. */
  void forget(String namespace) {
    sessions.forget(namespace);
  }

  /** Lines run through sessions so far, and sessions started (tests and benchmarks read them). */
  long linesRun() {
    return linesRun.get();
  }

  /** Batches before which a session's ip was asked which namespace it holds. */
  long namespacesAsked() {
    return namespacesAsked.get();
  }

  long sessionsStarted() {
    return sessions.started();
  }

  int open() {
    return sessions.open();
  }

  @Override
  public void close() {
    sessions.close();
  }
}
