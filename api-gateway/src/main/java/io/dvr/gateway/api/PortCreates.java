package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.store.NewPort;
import io.dvr.gateway.store.PortStore;
import io.dvr.proto.v1.Port;
import io.dvr.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Group commit of CreatePort on one api-gateway: at most {@code ports.create-transactions}
 * transactions of port creates run at once; requests that arrive meanwhile queue up and the next
 * transaction takes up to {@code ports.create-batch} of them, so under load many ports share one
 * transaction, its statements and its commit, while a lone request runs at once, alone.
 *
 * <p>Each request still fails alone on its own input (its id, MAC or address taken, its quota, a
 * network it may not use): {@link NewPorts} and {@link PortStore#createAll} leave it out with its
 * error and make the others. Should the transaction fail as a whole, each of its requests is run
 * again in a transaction of its own, so one request cannot fail another. Every reply is sent only
 * after the commit that made (or refused) its port.
 */
public final class PortCreates {
  /** Default: how many port creates one transaction takes at most. */
  public static final int DEFAULT_BATCH = 64;
  /** Default: how many transactions of port creates run at once (each holds a database connection). */
  public static final int DEFAULT_TRANSACTIONS = 4;

  private final Store store;
  private final PortStore ports;
  private final int maxBatch;
  private final int maxTransactions;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int running;
  private final AtomicLong transactions = new AtomicLong();

  private record Pending(PortDraft draft, Promise<Port> reply) {}

  public PortCreates(Store store, PortStore ports, int maxBatch, int maxTransactions) {
    if (maxBatch < 1 || maxTransactions < 1) {
      throw new IllegalArgumentException("ports.create-batch and ports.create-transactions must be at least 1");
    }
    this.store = store;
    this.ports = ports;
    this.maxBatch = maxBatch;
    this.maxTransactions = maxTransactions;
  }

  /** Creates the port, in a transaction it may share with others; completes after the commit. */
  Future<Port> create(PortDraft draft) {
    Promise<Port> reply = Promise.promise();
    synchronized (this) {
      queue.add(new Pending(draft, reply));
    }
    drain();
    return reply.future();
  }

  /** Requests waiting for a transaction. */
  public synchronized int queued() {
    return queue.size();
  }

  /** Transactions of port creates begun so far (a request run again alone counts again). */
  public long transactions() {
    return transactions.get();
  }

  private void drain() {
    while (true) {
      List<Pending> batch = new ArrayList<>();
      synchronized (this) {
        if (running >= maxTransactions || queue.isEmpty()) {
          return;
        }
        running++;
        while (batch.size() < maxBatch && !queue.isEmpty()) {
          batch.add(queue.poll());
        }
      }
      run(batch).onComplete(done -> {
        synchronized (this) {
          running--;
        }
        drain();
      });
    }
  }

  private Future<Void> run(List<Pending> batch) {
    transactions.incrementAndGet();
    List<PortDraft> drafts = batch.stream().map(Pending::draft).toList();
    return store.write(tx -> NewPorts.resolve(tx, ports, drafts).compose(resolution -> {
      List<NewPorts.Resolved> resolved = resolution.ports();
      return ports.createAndShow(tx, resolution.made(), resolution.subnets()).map(shown -> {
        List<Object> replies = new ArrayList<>();
        for (int i = 0, j = 0; i < batch.size(); i++) {
          if (resolved.get(i).error() != null) {
            replies.add(resolved.get(i).error());
          } else {
            PortStore.Made m = shown.get(j++);
            replies.add(m.error() != null ? m.error() : m.port());
          }
        }
        return replies;
      });
    })).transform(ar -> {
      if (ar.succeeded()) {
        for (int i = 0; i < batch.size(); i++) {
          Object reply = ar.result().get(i);
          if (reply instanceof Port port) {
            batch.get(i).reply().complete(port);
          } else {
            batch.get(i).reply().fail((ApiError) reply);
          }
        }
        return Future.succeededFuture();
      }
      if (batch.size() == 1) {
        batch.get(0).reply().fail(ar.cause());
        return Future.succeededFuture();
      }
      // The transaction failed as a whole, not on one request's input: each again alone.
      return Future.all(batch.stream().map(p -> run(List.of(p))).toList()).mapEmpty();
    });
  }
}
