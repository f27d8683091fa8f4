package io.dvr.gateway.api;

import static io.dvr.gateway.api.Calls.call;

import io.dvr.common.grpc.ApiError;
import io.dvr.gateway.api.Calls.Needs;
import io.dvr.gateway.auth.Authenticator;
import io.dvr.gateway.store.QuotaStore;
import io.dvr.proto.v1.GetQuotaRequest;
import io.dvr.proto.v1.QuotaServiceService;
import io.dvr.proto.v1.QuotaUsage;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.dvr.store.Store;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** dvr.v1.QuotaService: a project's limits and use (dvrctl quota-show, quota-update). */
public final class QuotaApi extends QuotaServiceService {
  private final Authenticator auth;
  private final Store store;
  private final QuotaStore quotas;

  public QuotaApi(Authenticator auth, Store store, QuotaStore quotas) {
    this.auth = auth;
    this.store = store;
    this.quotas = quotas;
  }

  @Override
  public Future<QuotaUsage> getQuota(GetQuotaRequest r) {
    return call(auth, "GetQuota", Needs.READ, r, caller -> {
      String project = r.getProjectId().isEmpty() ? caller.projectId() : Validate.projectId("project_id", r.getProjectId());
      if (!caller.isAdmin() && !project.equals(caller.projectId())) {
        throw new ApiError(GrpcStatus.PERMISSION_DENIED, "project_id '" + project
            + "': only an admin may read another project's quota");
      }
      return store.read(tx -> usage(tx, project));
    });
  }

  @Override
  public Future<QuotaUsage> updateQuota(UpdateQuotaRequest r) {
    return call(auth, "UpdateQuota", Needs.ADMIN_WRITE, r, caller -> {
      if (r.getProjectId().isEmpty()) {
        throw ApiError.invalid("project_id", "", "is required");
      }
      String project = Validate.projectId("project_id", r.getProjectId());
      Map<String, Long> limits = new LinkedHashMap<>();
      limits.put("network", r.hasNetwork() ? limit("network", r.getNetwork()) : null);
      limits.put("subnet", r.hasSubnet() ? limit("subnet", r.getSubnet()) : null);
      limits.put("port", r.hasPort() ? limit("port", r.getPort()) : null);
      limits.put("router", r.hasRouter() ? limit("router", r.getRouter()) : null);
      limits.put("floatingip", r.hasFloatingip() ? limit("floatingip", r.getFloatingip()) : null);
      return store.write(tx -> quotas.update(tx, project, limits).compose(v -> usage(tx, project)));
    });
  }

  private Future<QuotaUsage> usage(Tx tx, String project) {
    return quotas.limits(tx, project).compose(limits -> quotas.usage(tx, project)
        .map(used -> QuotaUsage.newBuilder().setLimits(limits).setInUse(used).build()));
  }

  private static long limit(String field, long value) {
    if (value < -1) {
      throw ApiError.invalid(field, value, "a quota is -1 (unlimited) or at least 0");
    }
    return value;
  }
}
