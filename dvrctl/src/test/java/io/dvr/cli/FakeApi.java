package io.dvr.cli;

import io.vertx.grpc.common.ServiceMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** An in-process stand-in for the server, for formatting and name-resolution tests only. */
final class FakeApi implements Api {

  /** One recorded call: the method name and the request sent. */
  record Call(String method, Object request) {}

  private final Map<String, Function<Object, Object>> handlers = new HashMap<>();
  final List<Call> calls = new ArrayList<>();
  ServerAddress openedFor;
  int openedWithTimeout;
  String openedWithToken;
  boolean closed;

  /** Answers {@code method} with {@code handler}; an unexpected method fails the test loudly. */
  @SuppressWarnings("unchecked")
  <Req, Resp> FakeApi on(ServiceMethod<Resp, Req> method, Function<Req, Resp> handler) {
    handlers.put(method.methodName(), req -> handler.apply((Req) req));
    return this;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Req, Resp> Resp call(ServiceMethod<Resp, Req> method, Req request) {
    calls.add(new Call(method.methodName(), request));
    Function<Object, Object> handler = handlers.get(method.methodName());
    if (handler == null) {
      throw new AssertionError("unexpected call " + method.fullMethodName() + " " + request);
    }
    return (Resp) handler.apply(request);
  }

  @SuppressWarnings("unchecked")
  <Req> List<Req> requests(ServiceMethod<?, Req> method) {
    return calls.stream()
        .filter(c -> c.method().equals(method.methodName()))
        .map(c -> (Req) c.request())
        .toList();
  }

  Api.Factory factory() {
    return (server, transport, timeout, token) -> {
      openedFor = server;
      openedWithToken = token;
      openedWithTimeout = timeout;
      return this;
    };
  }

  @Override
  public void close() {
    closed = true;
  }
}
