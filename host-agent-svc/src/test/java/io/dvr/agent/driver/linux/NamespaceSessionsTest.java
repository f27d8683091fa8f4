package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pool of per-namespace sessions: reuse, restart of an ended one, least recently used first out, forget, close. */
class NamespaceSessionsTest {
  /** A session that records its closing; {@code alive} until closed or ended by the test. */
  static final class Recorded implements NamespaceSessions.Session {
    final String namespace;
    boolean alive = true;
    boolean closed;

    Recorded(String namespace) {
      this.namespace = namespace;
    }

    @Override
    public String namespace() {
      return namespace;
    }

    @Override
    public boolean alive() {
      return alive && !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<Recorded> started = new ArrayList<>();

  private NamespaceSessions<Recorded> pool(int max) {
    return new NamespaceSessions<>(max, ns -> {
      if (ns.equals("unstartable")) {
        return null;
      }
      Recorded r = new Recorded(ns);
      started.add(r);
      return r;
    });
  }

  @Test
  @DisplayName("a namespace's session is reused while alive, and one whose process ended is closed and started anew")
  void reusedWhileAlive() {
    NamespaceSessions<Recorded> pool = pool(4);
    Recorded first = pool.of("qrouter-a");
    assertThat(pool.of("qrouter-a")).isSameAs(first);
    first.alive = false;
    Recorded second = pool.of("qrouter-a");
    assertThat(second).isNotSameAs(first);
    assertThat(first.closed).isTrue();
    assertThat(pool.started()).isEqualTo(2);
    assertThat(pool.open()).isEqualTo(1);
  }

  @Test
  @DisplayName("past the limit the least recently used session is closed first")
  void leastRecentlyUsedGoesFirst() {
    NamespaceSessions<Recorded> pool = pool(2);
    Recorded a = pool.of("a");
    Recorded b = pool.of("b");
    pool.of("a"); // a used after b
    pool.of("c");
    assertThat(b.closed).isTrue();
    assertThat(a.closed).isFalse();
    assertThat(pool.open()).isEqualTo(2);
  }

  @Test
  @DisplayName("forget and drop close the session; a namespace where none can start gets none; after close, none at all")
  void forgetDropAndClose() {
    NamespaceSessions<Recorded> pool = pool(4);
    Recorded a = pool.of("a");
    pool.forget("a");
    assertThat(a.closed).isTrue();
    Recorded b = pool.of("b");
    pool.drop(b);
    assertThat(b.closed).isTrue();
    assertThat(pool.open()).isZero();
    assertThat(pool.of("unstartable")).isNull();
    assertThat(pool.started()).isEqualTo(2);
    Recorded c = pool.of("c");
    pool.close();
    assertThat(c.closed).isTrue();
    assertThat(pool.of("d")).isNull();
  }
}
