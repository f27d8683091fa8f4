package io.dvr.agent.driver.linux;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Long-lived sessions (a process, or two, working in one namespace) kept per namespace: at most
 * {@code max} (the least recently used is closed first), one started on first use and again
 * after its process ended. What a session is and how it starts is the caller's ({@link IpSessions},
 * {@link NatSessions}); a session holds its namespace alive, so the caller {@link #forget forgets}
 * one whose namespace is about to go. Thread-safe; users of one session serialise on it.
 */
final class NamespaceSessions<S extends NamespaceSessions.Session> implements AutoCloseable {
  /** What the pool needs of a session. */
  interface Session extends AutoCloseable {
    String namespace();

    boolean alive();

    @Override
    void close();
  }

  private final int max;
  /** Starts a session of the namespace, or returns null when none can start there. */
  private final Function<String, S> start;
  private final Map<String, S> sessions = new LinkedHashMap<>(16, 0.75f, true);
  private long started;
  private boolean closed;

  NamespaceSessions(int max, Function<String, S> start) {
    this.max = max;
    this.start = start;
  }

  /** The namespace's session, started when there is none alive; null when closed or none can start. */
  synchronized S of(String namespace) {
    if (closed) {
      return null;
    }
    S s = sessions.get(namespace);
    if (s != null && s.alive()) {
      return s;
    }
    if (s != null) {
      sessions.remove(namespace);
      s.close();
    }
    if (sessions.size() >= max) {
      var eldest = sessions.entrySet().iterator().next();
      sessions.remove(eldest.getKey());
      eldest.getValue().close();
    }
    s = start.apply(namespace);
    if (s != null) {
      started++;
      sessions.put(namespace, s);
    }
    return s;
  }

  /** Ends a session that failed or no longer holds its namespace: the next use starts a new one. */
  synchronized void drop(S s) {
    sessions.remove(s.namespace(), s);
    s.close();
  }

  /** Ends the session of a namespace that is about to be made or deleted. */
  synchronized void forget(String namespace) {
    S s = sessions.remove(namespace);
    if (s != null) {
      s.close();
    }
  }

  synchronized long started() {
    return started;
  }

  synchronized int open() {
    return sessions.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    sessions.values().forEach(Session::close);
    sessions.clear();
  }
}
