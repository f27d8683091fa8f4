package io.dvr.gateway.api;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dvr.common.logging.LogFields;
import io.dvr.gateway.auth.Caller;
import io.vertx.core.AsyncResult;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per mutating API call on the logger {@code dvr.audit}: who (the token's subject and
 * project), what (the method and the resource's id) and the result (the gRPC status). The fields
 * also go as key-value pairs, so JSON lines carry them as fields, with the resource's new {@code
 * revision} when the answer is the resource. Only ids are read from the
 * messages: never a token or any other value a request or an answer holds.
 */
final class AuditLog {
  static final String LOGGER = "dvr.audit";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final String NOBODY = "-";

  private AuditLog() {}

  static void record(String method, Caller caller, Message request, AsyncResult<?> result) {
    GrpcStatus status = result.succeeded() ? GrpcStatus.OK
        : result.cause() instanceof StatusException se ? se.status() : GrpcStatus.UNKNOWN;
    String resource = resource(request, result.succeeded() ? result.result() : null);
    String subject = caller == null ? NOBODY : caller.subject();
    String project = caller == null ? NOBODY : caller.projectId();
    Map<String, String> fields = new HashMap<>();
    fields.put(LogFields.SERVICE, "api-gateway");
    if (result.succeeded() && result.result() instanceof Message answer) {
      fields.put(LogFields.REVISION, revision(answer));
    }
    if (method.endsWith("Port")) {
      fields.put(LogFields.PORT, resource);
    } else if (method.contains("Router")) {
      fields.put(LogFields.ROUTER, resource);
    }
    LogFields.within(fields, () -> LOG.atInfo()
        .addKeyValue("audit_subject", subject)
        .addKeyValue("audit_project", project)
        .addKeyValue("audit_method", method)
        .addKeyValue("audit_resource", resource)
        .addKeyValue("audit_status", status.name())
        .log("{} {} by {} (project {}): {}", method, resource, subject, project, status.name()));
  }

  /**
   * The id the call is about: the answer's {@code id} (a create), else the request's {@code id},
   * else its first {@code *_id} field that is set (an interface's router, a quota's project).
   */
  static String resource(Message request, Object answer) {
    if (answer instanceof Message m) {
      String id = stringField(m, "id");
      if (id != null) {
        return id;
      }
    }
    String id = stringField(request, "id");
    if (id != null) {
      return id;
    }
    for (FieldDescriptor f : request.getDescriptorForType().getFields()) {
      if (f.getName().endsWith("_id") && !f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.STRING) {
        String value = (String) request.getField(f);
        if (!value.isEmpty()) {
          return value;
        }
      }
    }
    return NOBODY;
  }

  /** The revision the call left the resource at, when its answer is the resource. */
  private static String revision(Message answer) {
    FieldDescriptor f = answer.getDescriptorForType().findFieldByName("revision");
    return f == null || f.getJavaType() != FieldDescriptor.JavaType.LONG ? null : String.valueOf(answer.getField(f));
  }

  private static String stringField(Message m, String name) {
    FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
    if (f == null || f.isRepeated() || f.getJavaType() != FieldDescriptor.JavaType.STRING) {
      return null;
    }
    String value = (String) m.getField(f);
    return value.isEmpty() ? null : value;
  }
}
