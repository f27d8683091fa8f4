package io.dvr.gateway.auth;

import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/**
 * Mints and checks the API's bearer tokens: JWTs signed ES256 (vertx-auth-jwt) with the claims
 * {@code sub}, {@code project_id}, {@code roles}, {@code iss}, {@code aud}, {@code iat}, {@code exp}
 * and {@code jti}. A check verifies the signature on a worker thread (ECDSA costs about a
 * millisecond of CPU, too much for an event loop) and remembers the tokens that passed until they
 * expire, so a client pays it once per token. A token that fails says why, in plain words; its
 * value never appears in an error or a log.
 */
public final class TokenAuthority {
  public static final String ALGORITHM = "ES256";
  private static final int ES256_SIGNATURE_CHARS = 86;
  /** How many verified tokens are remembered; the oldest used goes first. */
  private static final int REMEMBERED = 10_000;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final JWTAuth jwt;
  private final String issuer;
  private final String audience;
  private final Clock clock;
  private final Map<String, Caller> verified = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Caller> eldest) {
      return size() > REMEMBERED;
    }
  };

  public TokenAuthority(Vertx vertx, SigningKey key, String issuer, String audience, Clock clock) {
    this(vertx, null, key, issuer, audience, clock);
  }

  /** {@code workers}: the threads that verify (null: Vert.x's worker pool). */
  public TokenAuthority(Vertx vertx, WorkerExecutor workers, SigningKey key, String issuer, String audience,
      Clock clock) {
    this.vertx = vertx;
    this.workers = workers;
    this.issuer = issuer;
    this.audience = audience;
    this.clock = clock;
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(key.privatePem()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(key.publicPem()))
        .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM)));
  }

  public String issuer() {
    return issuer;
  }

  public String audience() {
    return audience;
  }

  /** A token for the subject in the project with the role, valid for {@code ttl} from now. */
  public String issue(String subject, String project, Role role, Duration ttl) {
    Instant now = clock.instant();
    return sign(new JsonObject()
        .put("sub", subject)
        .put("project_id", project)
        .put("roles", new JsonArray().add(role.wireName()))
        .put("iss", issuer)
        .put("aud", audience)
        .put("iat", now.getEpochSecond())
        .put("exp", now.plus(ttl).getEpochSecond())
        .put("jti", UUID.randomUUID().toString()));
  }

  /** Signs the claims exactly as given (tests craft expired or foreign-audience tokens with it). */
  public String sign(JsonObject claims) {
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm(ALGORITHM).setNoTimestamp(true));
  }

  /** The caller a token stands for, or UNAUTHENTICATED saying what is wrong with it. */
  public Future<Caller> verify(String token) {
    Caller known;
    synchronized (verified) {
      known = verified.get(token);
    }
    if (known != null) {
      return clock.instant().isBefore(known.expiresAt()) ? Future.succeededFuture(known)
          : Future.failedFuture(refused("the bearer token has expired; ask an admin for a new one"));
    }
    java.util.concurrent.Callable<Caller> work = () -> {
      Caller caller = check(token);
      synchronized (verified) {
        verified.put(token, caller);
      }
      return caller;
    };
    return workers != null ? workers.executeBlocking(work, false) : vertx.executeBlocking(work, false);
  }

  /** Verifies a token on the calling thread (a worker: ECDSA is CPU work). */
  public Caller check(String token) {
    JsonObject claims = claims(token);
    try {
      jwt.authenticate(new TokenCredentials(token)).toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw refused("the bearer token could not be checked");
    } catch (ExecutionException e) {
      String why = e.getCause() == null ? null : e.getCause().getMessage();
      throw refused(why != null && why.contains("expired") ? "the bearer token has expired; ask an admin for a new one"
          : "the bearer token's signature does not verify: it was not issued by this deployment");
    }
    return caller(claims);
  }

  /** The token's claims as sent, before its signature is checked (only to explain a refusal). */
  private static JsonObject claims(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw refused("the bearer token is not a JWT (header.payload.signature)");
    }
    // An ES256 signature is 64 bytes, 86 base64url characters: the decoder would read past extra ones.
    if (parts[2].length() != ES256_SIGNATURE_CHARS) {
      throw refused("the bearer token's signature does not verify: it is not an ES256 signature");
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw refused("the bearer token is not a JWT: its payload is not base64url JSON");
    }
  }

  /** Checks the claims of a token whose signature verified. */
  private Caller caller(JsonObject claims) {
    Object aud = claims.getValue("aud");
    List<?> audiences = aud instanceof JsonArray a ? a.getList() : aud == null ? List.of() : List.of(aud);
    if (!audiences.contains(audience)) {
      throw refused("the bearer token is for audience " + audiences + ", not '" + audience + "'");
    }
    if (!issuer.equals(claims.getValue("iss"))) {
      throw refused("the bearer token was issued by '" + claims.getValue("iss") + "', not '" + issuer + "'");
    }
    if (!(claims.getValue("exp") instanceof Number exp)) {
      throw refused("the bearer token has no expiry (exp)");
    }
    String subject = text(claims, "sub");
    String project = text(claims, "project_id");
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Object listed = claims.getValue("roles");
    if (listed instanceof JsonArray array) {
      for (Object r : array) {
        roles.add(Role.parse(String.valueOf(r)).orElseThrow(() -> refused("the bearer token has an unknown role '"
            + r + "' (admin, member or reader)")));
      }
    }
    if (roles.isEmpty()) {
      throw refused("the bearer token has no role (admin, member or reader)");
    }
    return new Caller(subject, project, roles, Instant.ofEpochSecond(exp.longValue()));
  }

  private static String text(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw refused("the bearer token has no '" + name + "' claim");
    }
    return s;
  }

  static ApiError refused(String why) {
    return new ApiError(GrpcStatus.UNAUTHENTICATED, why);
  }
}
