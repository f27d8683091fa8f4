package io.dvr.common.security;

import io.dvr.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.grpc.client.GrpcClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * TLS of the gRPC ports and their clients. A server presents its identity's certificate and asks
 * for the client's ({@code REQUEST}: a client without one, such as dvrctl with a bearer token, is
 * let in; agent-only calls check it). A client verifies the server against the CA, host name
 * included, and presents its own certificate when it has one. Settings: {@code grpc.tls.keystore},
 * {@code grpc.tls.truststore}, {@code grpc.tls.password}, defaulting to the identity's files in
 * {@code security.dir}; {@code insecure=true} turns TLS off. The files are read when this is made
 * (blocking: make it on a worker), so Vert.x gets values, not paths.
 */
public final class GrpcTls {
  private final Buffer keystore;
  private final Buffer truststore;
  private final String password;
  private final Path caPem;

  private GrpcTls(Buffer keystore, Buffer truststore, String password, Path caPem) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.password = password;
    this.caPem = caPem;
  }

  /** Plaintext (insecure mode). */
  public static GrpcTls off() {
    return new GrpcTls(null, null, null, null);
  }

  /** The TLS of a service or agent with this identity, from the settings; off when {@code insecure}. */
  public static GrpcTls of(Settings settings, Identity identity) {
    if (Insecure.on(settings)) {
      return off();
    }
    SecurityMaterial material = SecurityMaterial.at(SecurityMaterial.directory(settings));
    Path keystore = settings.find("grpc.tls.keystore").map(Path::of).orElse(material.keystore(identity));
    Path truststore = settings.find("grpc.tls.truststore").map(Path::of).orElse(material.truststore());
    Buffer key = read(require(keystore, "grpc.tls.keystore", identity));
    Buffer trust = read(require(truststore, "grpc.tls.truststore", identity));
    String password = settings.find("grpc.tls.password").orElseGet(() -> {
      require(material.dir().resolve(SecurityMaterial.PASSWORD), "grpc.tls.password", identity);
      return material.password();
    });
    return new GrpcTls(key, trust, password, null);
  }

  /** {@link #of}, read on a worker the first time and reused after (see {@link MaterialCache}). */
  public static Future<GrpcTls> load(Vertx vertx, Settings settings, Identity identity) {
    if (Insecure.on(settings)) {
      return Future.succeededFuture(off());
    }
    List<Object> key = List.of("grpc", identity, SecurityMaterial.directory(settings).toString(),
        settings.find("grpc.tls.keystore"), settings.find("grpc.tls.truststore"), settings.find("grpc.tls.password"));
    return MaterialCache.load(vertx, key, () -> of(settings, identity));
  }

  /** A client with no certificate of its own that trusts the CA in this PEM file (dvrctl). */
  public static GrpcTls trusting(Path caPem) {
    if (!Files.isReadable(caPem)) {
      throw new IllegalArgumentException("the CA certificate " + caPem + " is not readable; pass --ca FILE (DVRCTL_CA),"
          + " or --insecure for a server started with DVR_INSECURE=true");
    }
    return new GrpcTls(null, null, null, caPem);
  }

  public boolean enabled() {
    return truststore != null || caPem != null;
  }

  /** Server options with TLS (HTTP/2 by ALPN) and the client certificate requested, or as they were when off. */
  public HttpServerOptions server(HttpServerOptions options) {
    if (!enabled()) {
      return options;
    }
    return options.setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(new PfxOptions().setValue(keystore).setPassword(password))
        .setTrustOptions(new PfxOptions().setValue(truststore).setPassword(password))
        .setClientAuth(ClientAuth.REQUEST);
  }

  /** Client options for gRPC (HTTP/2, over TLS with ALPN unless off). */
  public HttpClientOptions client() {
    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    if (!enabled()) {
      return options;
    }
    options.setSsl(true).setUseAlpn(true).setVerifyHost(true).setTrustOptions(trust());
    if (keystore != null) {
      options.setKeyCertOptions(new PfxOptions().setValue(keystore).setPassword(password));
    }
    return options;
  }

  public GrpcClient newClient(Vertx vertx) {
    return GrpcClient.client(vertx, client());
  }

  private TrustOptions trust() {
    return caPem != null ? new PemTrustOptions().addCertPath(caPem.toString())
        : new PfxOptions().setValue(truststore).setPassword(password);
  }

  private static Path require(Path file, String setting, Identity identity) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("TLS is on but " + file + " (the " + identity.fileName() + " material, setting "
          + setting + " / " + Settings.envName(setting) + ") is not readable: start the lab once to create the material,"
          + " mint it (see the README, security material), or set insecure (DVR_INSECURE=true) to run without TLS");
    }
    return file;
  }

  private static Buffer read(Path file) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
