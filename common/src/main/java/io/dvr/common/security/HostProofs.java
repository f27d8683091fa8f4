package io.dvr.common.security;

import com.google.protobuf.Message;
import io.dvr.common.bus.Bus;
import io.dvr.common.config.Settings;
import io.dvr.common.grpc.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event-bus requests that claim a host ({@code dvr.gateway.ports-wired},
 * {@code dvr.scheduler.host-routers}) carry the proof of that host's credential
 * ({@link HostCredentials}): the agent attaches it ({@link #sender}), the answering service checks
 * it ({@link #admission}) and refuses, logged, a request for a host whose key the sender does not
 * hold. Off when insecure.
 */
public final class HostProofs {
  private static final Logger LOG = LoggerFactory.getLogger(HostProofs.class);

  private HostProofs() {}

  /** How an agent signs its requests: with its host's key, or not at all (insecure). */
  public interface Sender {
    Sender NONE = request -> new DeliveryOptions();

    DeliveryOptions options(Message request);
  }

  /** The sender of the agent of {@code host}, with the key in {@code security.dir}/host-HOST.credential. Blocking (reads it). */
  public static Sender sender(Settings settings, String host) {
    if (Insecure.on(settings)) {
      return Sender.NONE;
    }
    Path file = settings.find("agent.credential").map(Path::of)
        .orElse(SecurityMaterial.at(SecurityMaterial.directory(settings)).hostCredentialFile(host));
    String key;
    try {
      key = Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException("the event-bus credential of host '" + host + "' (" + file + ", setting"
          + " agent.credential / " + Settings.envName("agent.credential") + ") is not readable: mint it with the"
          + " host's certificate, or set insecure (DVR_INSECURE=true)");
    }
    return sender(host, key, Clock.systemUTC());
  }

  public static Sender sender(String host, String key, Clock clock) {
    return request -> new DeliveryOptions().addHeader(HostCredentials.HEADER,
        HostCredentials.prove(host, key, request.toByteArray(), clock.instant()));
  }

  /** The check of a service answering such requests; null credentials: everything passes (insecure). */
  public static <Q> Bus.Admission<Q> admission(HostCredentials credentials, String address, Function<Q, String> hostOf,
      Clock clock) {
    if (credentials == null) {
      return (request, message) -> null;
    }
    return (request, message) -> {
      String host = hostOf.apply(request);
      Buffer body = message.body();
      if (credentials.verify(host, message.headers().get(HostCredentials.HEADER), body.getBytes(), clock.instant())) {
        return null;
      }
      String shown = host.replaceAll("[^A-Za-z0-9._-]", "?");
      LOG.warn("refused {} for host '{}': {}", address, shown, message.headers().contains(HostCredentials.HEADER)
          ? "its proof is not that host's credential (or is stale)" : "it carries no host proof");
      return new ApiError(GrpcStatus.PERMISSION_DENIED, "a request for host '" + shown
          + "' must come from that host's agent (no valid proof of its credential)");
    };
  }

  /** {@link #credentials}, read on a worker the first time and reused after; empty when insecure. */
  public static Future<Optional<HostCredentials>> loadCredentials(Vertx vertx, Settings settings) {
    if (Insecure.on(settings)) {
      return Future.succeededFuture(Optional.empty());
    }
    return MaterialCache.load(vertx, List.of("host-credentials", SecurityMaterial.directory(settings).toString()),
        () -> Optional.of(credentials(settings)));
  }

  /** The control plane's side: the secret of every host's credential, unless insecure. Blocking (reads it). */
  public static HostCredentials credentials(Settings settings) {
    if (Insecure.on(settings)) {
      return null;
    }
    SecurityMaterial material = SecurityMaterial.at(SecurityMaterial.directory(settings));
    try {
      return material.hostCredentials();
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException("the host credential secret " + material.dir().resolve(SecurityMaterial.HOST_SECRET)
          + " is not readable: start the lab once to create the material, point security.dir ("
          + Settings.envName("security.dir") + ") at it, or set insecure (DVR_INSECURE=true)");
    }
  }
}
