package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import com.google.protobuf.Timestamp;
import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.auth.Role;
import io.dvr.gateway.auth.TokenAuthority;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.IssuedToken;
import io.dvr.proto.v1.TokenServiceService;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;

/** dvr.v1.TokenService: an admin mints bearer tokens (dvrctl token issue). */
public final class TokenApi extends TokenServiceService {
  static final Duration DEFAULT_TTL = Duration.ofHours(8);
  static final Duration MAX_TTL = Duration.ofDays(366);

  private final Authenticator auth;
  private final WorkerExecutor workers;
  private final Clock clock;

  /** {@code workers}: where tokens are signed (ECDSA is CPU work, kept off the event loops). */
  public TokenApi(Authenticator auth, WorkerExecutor workers, Clock clock) {
    this.auth = auth;
    this.workers = workers;
    this.clock = clock;
  }

  @Override
  public Future<IssuedToken> issueToken(IssueTokenRequest r) {
    return call(auth, "IssueToken", Needs.ADMIN_WRITE, r, caller -> {
      TokenAuthority tokens = auth.tokens().orElseThrow(() -> ApiError.failedPrecondition(
          "authentication is off (insecure): this api-gateway issues no tokens"));
      if (r.getProjectId().isEmpty()) {
        throw ApiError.invalid("project_id", "", "is required");
      }
      String project = Validate.projectId("project_id", r.getProjectId());
      Role role = Role.parse(r.getRole()).orElseThrow(() -> ApiError.invalid("role", r.getRole(),
          "must be admin, member or reader"));
      String subject = r.getSubject().isEmpty() ? project : Validate.name("subject", r.getSubject());
      long seconds = r.getTtlSeconds();
      if (seconds < 0 || seconds > MAX_TTL.toSeconds()) {
        throw ApiError.invalid("ttl_seconds", Long.toUnsignedString(seconds), "must be 1.." + MAX_TTL.toSeconds()
            + " (366 days; 0: 8 hours)");
      }
      Duration ttl = seconds == 0 ? DEFAULT_TTL : Duration.ofSeconds(seconds);
      // ECDSA signing is CPU work: off the event loop, as the checks are.
      return workers.executeBlocking(() -> tokens.issue(subject, project, role, ttl), false)
          .map(token -> IssuedToken.newBuilder().setToken(token).setSubject(subject).setProjectId(project)
              .addRoles(role.wireName())
              .setExpiresAt(Timestamp.newBuilder().setSeconds(clock.instant().plus(ttl).getEpochSecond()))
              .build());
    });
  }
}
