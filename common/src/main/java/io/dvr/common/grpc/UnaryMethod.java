package io.dvr.common.grpc;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.WireFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * A method's request type: what each request message must read as (one message for a unary or
 * server-streaming method, each of a client stream). It turns a message as sent into plain bytes
 * its service can decode, or refuses it: an inflated
 * size over the limit, gzip that is not gzip, bytes that are not a valid request (a bad wire
 * type, invalid UTF-8 in a string field).
 */
record UnaryMethod(Descriptor requestType) {

  /** The message uncompressed, once it is known to read as {@link #requestType}. */
  Buffer plain(UnaryBody.Message message, WireFormat format, long limit) {
    Buffer payload = message.gzipped() ? gunzip(message.payload(), limit) : message.payload();
    try {
      if (format == WireFormat.JSON) {
        JsonFormat.parser().merge(payload.toString(StandardCharsets.UTF_8), DynamicMessage.newBuilder(requestType));
      } else {
        DynamicMessage.parseFrom(requestType, payload.getBytes());
      }
    } catch (InvalidProtocolBufferException e) {
      throw new RequestRefused(GrpcStatus.INVALID_ARGUMENT, "the request is not a valid "
          + requestType.getFullName() + ": " + e.getMessage());
    }
    return payload;
  }

  /** Inflates at most {@code limit} bytes: a small message must not grow into a large one unseen. */
  private static Buffer gunzip(Buffer gzipped, long limit) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.getBytes()))) {
      for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
        out.write(chunk, 0, n);
        if (out.size() > limit) {
          throw new RequestRefused(GrpcStatus.RESOURCE_EXHAUSTED,
              "the request message inflates past the limit of " + limit + " bytes");
        }
      }
    } catch (IOException e) {
      // The spec's status for a compression the server has but could not undo.
      throw new RequestRefused(GrpcStatus.INTERNAL, "the request message is not valid gzip: "
          + (e.getMessage() == null ? "it ends too soon" : e.getMessage()));
    }
    return Buffer.buffer(out.toByteArray());
  }
}
