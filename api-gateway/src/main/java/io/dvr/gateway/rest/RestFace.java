package io.dvr.gateway.rest;

import io.dvr.common.grpc.CallMetadata;
import io.dvr.common.security.GrpcTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Neutron Networking v2.0 REST face on its own port ({@code rest.port}, 9696 as Neutron's), in
 * api-gateway's process, over TLS with api-gateway's certificate unless insecure. The token comes
 * in {@code X-Auth-Token} and reaches the services as the gRPC face's bearer token does; with
 * authentication off every caller is the admin, as under Neutron's noauth.
 */
public final class RestFace {
  /** Neutron refuses larger bodies too (max_request_body_size, 114688 bytes by default). */
  static final long BODY_LIMIT = 114_688;
  private static final Pattern IF_MATCH = Pattern.compile("revision_number=(\\d+)");

  private final Networks networks;
  private final Subnets subnets;
  private final Ports ports;
  private final Routers routers;
  private final FloatingIps floatingIps;
  private final Agents agents;
  private final List<Collection> collections;
  private final JsonObject openApi;

  private RestFace(NeutronServices services) {
    networks = new Networks(services.networks());
    subnets = new Subnets(services.subnets());
    ports = new Ports(services.ports());
    routers = new Routers(services.routers(), services.agents());
    floatingIps = new FloatingIps(services.floatingIps());
    agents = new Agents(services.agents(), services.routers());
    collections = List.of(networks, subnets, ports, routers, floatingIps, agents);
    openApi = OpenApi.document(collections);
  }

  public static Future<HttpServer> start(Vertx vertx, String host, int port, GrpcTls tls, NeutronServices services) {
    Router router = new RestFace(services).router(vertx);
    return vertx.createHttpServer(tls.server(new HttpServerOptions().setHost(host).setPort(port)))
        .requestHandler(router).listen();
  }

  private Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.route().handler(this::carryToken);
    router.get("/").handler(ctx -> json(ctx, 200, Discovery.versions(base(ctx))));
    router.get("/v2.0").handler(ctx -> json(ctx, 200, Discovery.resources(base(ctx), collections)));
    router.get("/v2.0/").handler(ctx -> json(ctx, 200, Discovery.resources(base(ctx), collections)));
    router.get("/v2.0/openapi.json").handler(ctx -> json(ctx, 200, openApi));
    router.get("/v2.0/extensions").handler(ctx -> json(ctx, 200, Discovery.extensions()));
    router.get("/v2.0/extensions/:alias").handler(ctx -> Discovery.EXTENSIONS.stream()
        .filter(e -> e.alias().equals(ctx.pathParam("alias"))).findFirst()
        .ifPresentOrElse(e -> json(ctx, 200, new JsonObject().put("extension", Discovery.extension(e))),
            () -> fail(ctx, new NeutronErrors.RestError(404, "NotFound", "extension '" + ctx.pathParam("alias")
                + "' not found"), null)));
    router.put("/v2.0/routers/:id/add_router_interface").handler(ctx -> answer(ctx, routers, 200,
        () -> routers.addInterface(ctx.pathParam("id"), body(ctx))));
    router.put("/v2.0/routers/:id/remove_router_interface").handler(ctx -> answer(ctx, routers, 200,
        () -> routers.removeInterface(ctx.pathParam("id"), body(ctx))));
    router.get("/v2.0/routers/:id/l3-agents").handler(ctx -> answer(ctx, routers, 200,
        () -> routers.l3Agents(ctx.pathParam("id"))));
    router.get("/v2.0/agents/:id/l3-routers").handler(ctx -> answer(ctx, agents, 200,
        () -> agents.l3Routers(ctx.pathParam("id"))));
    router.post("/v2.0/agents/:id/l3-routers").handler(ctx -> answer(ctx, agents, 201,
        () -> agents.addL3Router(ctx.pathParam("id"), body(ctx))));
    router.delete("/v2.0/agents/:id/l3-routers/:router").handler(ctx -> answer(ctx, agents, 204,
        () -> agents.removeL3Router(ctx.pathParam("id"), ctx.pathParam("router"))));
    for (Collection c : collections) {
      String path = "/v2.0/" + c.plural();
      router.get(path).handler(ctx -> answer(ctx, c, 200, () -> list(ctx, c)));
      router.post(path).handler(ctx -> answer(ctx, c, 201,
          () -> c.create(body(ctx)).map(item -> new JsonObject().put(c.singular(), item))));
      router.get(path + "/:id").handler(ctx -> answer(ctx, c, 200, () -> {
        ListQuery fields = ListQuery.parse(ctx.queryParams(), c.attributes());
        return c.show(ctx.pathParam("id")).map(item -> new JsonObject().put(c.singular(), fields.shown(item)));
      }));
      router.put(path + "/:id").handler(ctx -> answer(ctx, c, 200, () -> update(ctx, c)));
      router.delete(path + "/:id").handler(ctx -> answer(ctx, c, 204, () -> c.delete(ctx.pathParam("id"))
          .map(v -> (JsonObject) null)));
    }
    router.route().handler(ctx -> fail(ctx, new NeutronErrors.RestError(404, "HTTPNotFound",
        "The resource could not be found: " + ctx.request().method() + " " + ctx.normalizedPath()), null));
    router.route().failureHandler(ctx -> {
      if (ctx.statusCode() == 413) {
        fail(ctx, new NeutronErrors.RestError(413, "HTTPRequestEntityTooLarge", "the request body is larger than "
            + BODY_LIMIT + " bytes"), null);
      } else if (ctx.statusCode() == 405) {
        fail(ctx, new NeutronErrors.RestError(405, "HTTPMethodNotAllowed", ctx.request().method()
            + " is not offered on " + ctx.normalizedPath()), null);
      } else {
        fail(ctx, ctx.failure() != null ? ctx.failure() : new NeutronErrors.RestError(ctx.statusCode(),
            "HTTPError", "the request failed"), null);
      }
    });
    return router;
  }

  /** X-Auth-Token to the services, as the gRPC face hands them its authorization metadata. */
  private void carryToken(RoutingContext ctx) {
    String token = ctx.request().getHeader("X-Auth-Token");
    CallMetadata.carry(token == null || token.isBlank() ? null : "Bearer " + token.trim());
    ctx.next();
  }

  private Future<JsonObject> list(RoutingContext ctx, Collection c) {
    ListQuery query = ListQuery.parse(ctx.queryParams(), c.attributes());
    String self = base(ctx) + "/v2.0/" + c.plural();
    return c.list(query).map(items -> query.apply(items, c.plural(), self, ctx.queryParams()));
  }

  /**
   * PUT with {@code If-Match: revision_number=N}: 412 unless the item is at revision N, checked on
   * the row locked in the update's transaction where the collection can (networks, ports, routers).
   */
  private Future<JsonObject> update(RoutingContext ctx, Collection c) {
    String id = ctx.pathParam("id");
    JsonObject body = body(ctx);
    String ifMatch = ctx.request().getHeader("If-Match");
    Matcher m = ifMatch == null ? null : IF_MATCH.matcher(ifMatch);
    Long ifRevision = m != null && m.find() ? Long.parseLong(m.group(1)) : null;
    if (c.checksRevision()) {
      return c.update(id, body, ifRevision).map(item -> new JsonObject().put(c.singular(), item));
    }
    Future<Void> checked = Future.succeededFuture();
    if (ifRevision != null) {
      long wanted = ifRevision;
      checked = c.show(id).map(current -> {
        long revision = current.getLong("revision_number", -1L);
        if (revision != wanted) {
          throw new NeutronErrors.RestError(412, "RevisionNumberConstraintFailed", "Constrained to " + wanted
              + ", but current revision is " + revision);
        }
        return null;
      });
    }
    return checked.compose(v -> c.update(id, body, null)).map(item -> new JsonObject().put(c.singular(), item));
  }

  private static JsonObject body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() == 0) {
      return null;
    }
    try {
      return ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw NeutronErrors.badRequest("the request body is not a JSON object");
    }
  }

  private static void answer(RoutingContext ctx, Collection c, int status,
      java.util.function.Supplier<Future<JsonObject>> call) {
    String operation = ctx.request().method() + " /v2.0/" + c.plural();
    Future<JsonObject> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(res -> {
      if (res.failed()) {
        NeutronErrors.send(ctx.response(), res.cause(), operation, c.kind());
      } else if (status == 204) {
        ctx.response().setStatusCode(204).end();
      } else {
        json(ctx, status, res.result());
      }
    });
  }

  private static void fail(RoutingContext ctx, Throwable err, String kind) {
    NeutronErrors.send(ctx.response(), err, ctx.request().method() + " " + ctx.normalizedPath(), kind);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** The server root as the client reached it (scheme and Host), for the links of the documents. */
  private static String base(RoutingContext ctx) {
    String authority = ctx.request().authority() != null ? ctx.request().authority().toString()
        : ctx.request().localAddress().toString();
    return ctx.request().scheme() + "://" + authority;
  }

}
