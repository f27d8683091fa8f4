package io.dvr.agent.sync;

import static io.dvr.agent.sync.SyncTesting.on;
import static io.dvr.agent.sync.SyncTesting.reply;
import static io.dvr.agent.sync.SyncTesting.router;
import static io.dvr.agent.sync.SyncTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.sync.RouterFetcher.Fetching;
import io.dvr.agent.sync.RouterFetcher.Idle;
import io.dvr.agent.sync.RouterFetcher.Stopped;
import io.dvr.agent.sync.RouterFetcher.WaitingToRetry;
import io.dvr.agent.sync.SyncTesting.Answers;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostRouters;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RouterFetcherTest {
  record Delivered(FetchScope scope, HostRouters reply) {}

  private final Answers<GetHostRoutersRequest, HostRouters> scheduler = new Answers<>();
  private final List<Delivered> delivered = new CopyOnWriteArrayList<>();

  private RouterFetcher fetcher(SyncContext ctx, long retryMillis) {
    return new RouterFetcher(ctx, scheduler, retryMillis, (scope, reply) -> delivered.add(new Delivered(scope, reply)));
  }

  private static FetchScope routers(String... ids) {
    return FetchScope.routers(List.of(ids));
  }

  @Test
  @DisplayName("a full sync asks for every router (no ids) and delivers the reply with its scope")
  void fullSync(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    RouterFetcher fetcher = fetcher(ctx, 600_000);
    run(ctx, fetcher::wantAll);
    assertThat(on(ctx, fetcher::state)).isEqualTo(new Fetching(FetchScope.all(), FetchScope.NONE));
    assertThat(on(ctx, () -> fetcher.fetching("any"))).as("a full sync covers every router").isTrue();
    var call = scheduler.next();
    assertThat(call.request().getHost()).isEqualTo(SyncTesting.HOST);
    assertThat(call.request().getRouterIdsList()).isEmpty();
    run(ctx, () -> call.reply().complete(reply(router("r1"))));
    assertThat(delivered).containsExactly(new Delivered(FetchScope.all(), reply(router("r1"))));
    assertThat(on(ctx, fetcher::state)).isEqualTo(new Idle());
    assertThat(on(ctx, fetcher::busy)).isFalse();
  }

  @Test
  @DisplayName("routers wanted while a fetch is on its way are fetched, merged, right after it")
  void dirtyWhileFetching(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    RouterFetcher fetcher = fetcher(ctx, 600_000);
    run(ctx, () -> fetcher.want(routers("r1")));
    var first = scheduler.next();
    assertThat(first.request().getRouterIdsList()).containsExactly("r1");
    run(ctx, () -> fetcher.want(routers("r2")));
    run(ctx, () -> fetcher.want(routers("r1", "r3")));
    assertThat(on(ctx, fetcher::state)).isEqualTo(new Fetching(routers("r1"), routers("r1", "r2", "r3")));
    assertThat(on(ctx, () -> fetcher.fetching("r1"))).isTrue();
    assertThat(on(ctx, () -> fetcher.fetching("r2"))).as("wanted, not on its way").isFalse();
    assertThat(scheduler.none()).as("one fetch at a time").isTrue();
    run(ctx, () -> first.reply().complete(reply(router("r1"))));
    assertThat(delivered).extracting(Delivered::scope).containsExactly(routers("r1"));
    var second = scheduler.next();
    assertThat(second.request().getRouterIdsList()).containsExactly("r1", "r2", "r3");
    assertThat(on(ctx, fetcher::state)).isEqualTo(new Fetching(routers("r1", "r2", "r3"), FetchScope.NONE));
    run(ctx, fetcher::wantAll);
    run(ctx, () -> second.reply().complete(reply()));
    assertThat(scheduler.next().request().getRouterIdsList()).as("a full sync after it").isEmpty();
  }

  @Test
  @DisplayName("a failed fetch is asked for again after the retry delay, with the same scope")
  void failedFetchIsRetried(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    RouterFetcher fetcher = fetcher(ctx, 5);
    run(ctx, () -> fetcher.want(routers("r1")));
    var failing = scheduler.next();
    // Failed and inspected in one step: the retry timer cannot fire in between.
    assertThat(on(ctx, () -> {
      failing.reply().fail("scheduler gone");
      return fetcher.state();
    })).isInstanceOfSatisfying(WaitingToRetry.class,
        w -> assertThat(w.scope()).isEqualTo(routers("r1")));
    var retried = scheduler.next();
    assertThat(retried.request().getRouterIdsList()).containsExactly("r1");
    run(ctx, () -> retried.reply().complete(reply(router("r1"))));
    assertThat(delivered).extracting(Delivered::scope).containsExactly(routers("r1"));
  }

  @Test
  @DisplayName("while waiting to retry, a new want fetches at once, merged with the failed scope")
  void wantWhileWaitingToRetry(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    RouterFetcher fetcher = fetcher(ctx, 600_000);
    run(ctx, () -> fetcher.want(routers("r1")));
    var failing = scheduler.next();
    run(ctx, () -> failing.reply().fail("scheduler gone"));
    run(ctx, () -> fetcher.want(routers("r2")));
    assertThat(scheduler.next().request().getRouterIdsList()).containsExactly("r1", "r2");
  }

  @Test
  @DisplayName("a failed fetch with more wanted meanwhile is fetched again at once, merged")
  void failureWithMoreWanted(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    RouterFetcher fetcher = fetcher(ctx, 600_000);
    run(ctx, () -> fetcher.want(routers("r1")));
    var first = scheduler.next();
    run(ctx, () -> fetcher.want(routers("r2")));
    run(ctx, () -> first.reply().fail("timeout"));
    assertThat(scheduler.next().request().getRouterIdsList()).containsExactly("r1", "r2");
    assertThat(delivered).isEmpty();
  }

  @Test
  @DisplayName("after stop nothing is fetched and a late reply is not delivered")
  void stopped(Vertx vertx) {
    SyncContext ctx = SyncTesting.context(vertx);
    RouterFetcher fetcher = fetcher(ctx, 600_000);
    run(ctx, fetcher::wantAll);
    var call = scheduler.next();
    run(ctx, fetcher::stop);
    run(ctx, () -> call.reply().complete(reply(router("r1"))));
    run(ctx, () -> fetcher.want(routers("r2")));
    assertThat(delivered).isEmpty();
    assertThat(scheduler.none()).isTrue();
    assertThat(on(ctx, fetcher::state)).isEqualTo(new Stopped());
  }

  @Test
  @DisplayName("a transition run off the sync's context is refused, naming the thread")
  void ownedByItsContext(Vertx vertx) {
    RouterFetcher fetcher = fetcher(SyncTesting.context(vertx), 600_000);
    assertThatThrownBy(fetcher::wantAll).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("wanting routers fetched").hasMessageContaining(Thread.currentThread().getName());
    assertThat(scheduler.none()).isTrue();
  }

  @Test
  @DisplayName("scopes merge: anything with a full sync is a full sync; router sets unite")
  void scopesMerge() {
    assertThat(routers("r1").merge(FetchScope.all())).isEqualTo(FetchScope.all());
    assertThat(FetchScope.NONE.merge(routers("r2", "r1"))).isEqualTo(routers("r1", "r2"));
    assertThat(FetchScope.NONE.isEmpty()).isTrue();
    assertThat(FetchScope.all().isEmpty()).isFalse();
    assertThat(routers("r1").covers("r2")).isFalse();
    assertThat(FetchScope.all().request("h").getRouterIdsList()).isEmpty();
  }
}
